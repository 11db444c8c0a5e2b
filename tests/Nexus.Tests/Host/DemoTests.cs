using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Nexus.Tests.Support;

namespace Nexus.Tests.Host;

/// <summary>The first Quick-start command: the demo verb, as a user runs it.</summary>
public sealed class DemoTests : IDisposable
{
    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "nexus-demo-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task The_demo_registers_simulated_clusters_whose_guests_a_demo_viewer_sees()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var host = HostProcess.Start(new Dictionary<string, string> { ["Nexus__DataDirectory"] = _dataRoot },
            "demo", "--urls", url, $"--Nexus:Silo:SiloPort={FreePort.Next()}",
            "--Nexus:Demo:Clusters=2", "--Nexus:Demo:NodesPerCluster=2", "--Nexus:Demo:GuestsPerCluster=6");

        var password = await Eventually.ResultAsync(() =>
        {
            Assert.False(host.HasExited, $"demo exited: {host.Stderr}");
            var line = host.Stdout.Split('\n').FirstOrDefault(l => l.Contains("Every demo account's password:", StringComparison.Ordinal));
            return Task.FromResult(line?.Split(':').Last().Trim() ?? throw new InvalidOperationException("not ready yet"));
        }, TimeSpan.FromMinutes(2), "the demo prints its accounts");
        Assert.Contains("2 simulated Proxmox cluster(s) registered", host.Stdout);

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email = "viewer@demo.nexus", password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var tenants = await http.GetFromJsonAsync<JsonElement>("/api/tenants");
        var demo = Assert.Single(tenants.EnumerateArray());
        Assert.Equal("viewer", demo.GetProperty("role").GetString());
        var tenantId = demo.GetProperty("id").GetString();

        // The server grains poll the simulated clusters; every guest shows up, with view permission only.
        var vms = await Eventually.ResultAsync(async () =>
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}/vms?pageSize=100");
            return page.GetProperty("total").GetInt32() == 12 ? page : throw new InvalidOperationException($"{page.GetProperty("total")} guests so far");
        }, TimeSpan.FromSeconds(60), "both clusters' guests are listed");
        foreach (var vm in vms.GetProperty("items").EnumerateArray())
        {
            Assert.Equal(["view"], vm.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
