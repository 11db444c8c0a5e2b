using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Nexus.Simulator.Hosting;
using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.Hosting;

public sealed class AdminFixture : SimulatorFixture
{
    protected override void Configure(SimulatorOptions options)
    {
        options.Clusters = 3;
        options.AdminPort = 0;
    }
}

public sealed class AdminEndpointTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    private HttpClient Admin() => new() { BaseAddress = fixture.Simulator.AdminUrl };

    [Fact]
    public async Task Every_cluster_has_its_own_ports_and_the_admin_listing_shows_them()
    {
        using var admin = Admin();
        var clusters = await admin.GetFromJsonAsync<JsonElement>("clusters");
        Assert.Equal(3, clusters.GetArrayLength());
        var urls = clusters.EnumerateArray().SelectMany(c => new[] { c.GetProperty("primaryUrl").GetString(), c.GetProperty("secondaryUrl").GetString() }).ToArray();
        Assert.Equal(6, urls.Distinct().Count());
        foreach (var (cluster, json) in fixture.Simulator.Clusters.Zip(clusters.EnumerateArray()))
        {
            Assert.Equal(cluster.ApiToken, json.GetProperty("apiToken").GetString());
            using var client = Pve.Client(cluster.PrimaryUrl, cluster.Fingerprint(cluster.Primary.Node));
            var status = (await Pve.GetDataAsync(client, "cluster/status", cluster.RootToken.AuthorizationHeader))!.AsArray();
            Assert.Equal(cluster.Name, status[0]!["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Faults_can_be_switched_per_listener_over_http()
    {
        using var admin = Admin();
        var cluster = fixture.Simulator.Clusters[1];
        using var set = await admin.PutAsJsonAsync($"clusters/{cluster.Name}/faults?listener=primary", new { refuse = true });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await Task.Delay(100);
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var error = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(cluster.Primary.EndPoint));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        }
        using var cleared = await admin.DeleteAsync($"clusters/{cluster.Name}/faults?listener=primary");
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        await Task.Delay(100);
        using var client = Pve.Client(cluster.PrimaryUrl, cluster.Fingerprint(cluster.Primary.Node));
        Assert.NotNull(await Pve.GetDataAsync(client, "version", cluster.RootToken.AuthorizationHeader));
    }

    [Fact]
    public async Task A_guest_can_be_stopped_from_outside_over_http()
    {
        using var admin = Admin();
        var cluster = fixture.Simulator.Clusters[2];
        var guest = cluster.Guests.First(g => g.State == Nexus.Simulator.Clusters.GuestRunState.Running);
        using var response = await admin.PostAsync($"clusters/{cluster.Name}/guests/{guest.Vmid}/status/stopped", null);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var client = Pve.Client(cluster.PrimaryUrl, cluster.Fingerprint(cluster.Primary.Node));
        var current = await Pve.GetDataAsync(client, $"nodes/{guest.Node}/{guest.Type}/{guest.Vmid}/status/current", cluster.RootToken.AuthorizationHeader);
        Assert.Equal("stopped", current!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_churn_flips_guests_of_every_cluster_at_the_requested_rate_until_stopped()
    {
        using var admin = Admin();
        var before = fixture.Simulator.Clusters.Select(c => c.Guests.ToDictionary(g => g.Vmid, g => g.State)).ToArray();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using (var set = await admin.PutAsJsonAsync("churn", new { changesPerSecond = 200 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        await Task.Delay(1000);
        using var stop = await admin.DeleteAsync("churn");
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        var stopped = await stop.Content.ReadFromJsonAsync<JsonElement>();
        var changes = stopped.GetProperty("changes").GetInt64();
        Assert.InRange(changes, 100, (long)(200 * elapsed) + 1);
        Assert.Equal(0, stopped.GetProperty("changesPerSecond").GetDouble());
        foreach (var (cluster, states) in fixture.Simulator.Clusters.Zip(before))
        {
            Assert.Contains(cluster.Guests, g => states[g.Vmid] != g.State);
        }
        await Task.Delay(200);
        var after = await admin.GetFromJsonAsync<JsonElement>("churn");
        Assert.Equal(changes, after.GetProperty("changes").GetInt64());
    }

    [Fact]
    public async Task A_negative_churn_rate_is_refused()
    {
        using var admin = Admin();
        using var response = await admin.PutAsJsonAsync("churn", new { changesPerSecond = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Stats_report_process_cpu_time()
    {
        using var admin = Admin();
        var stats = await admin.GetFromJsonAsync<JsonElement>("stats");
        Assert.True(stats.GetProperty("cpuSeconds").GetDouble() > 0);
    }
}

public sealed class SimulatorOptionsTests
{
    [Fact]
    public async Task A_non_loopback_address_is_refused_at_start()
    {
        var options = new SimulatorOptions { PrimaryAddress = IPAddress.Any };
        await Assert.ThrowsAsync<ArgumentException>(() => ProxmoxSimulator.StartAsync(options));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_inventory()
    {
        await using var a = await ProxmoxSimulator.StartAsync(new SimulatorOptions { Seed = 5, GuestsPerCluster = 10, SecondaryAddress = null });
        await using var b = await ProxmoxSimulator.StartAsync(new SimulatorOptions { Seed = 5, GuestsPerCluster = 10, SecondaryAddress = null });
        Assert.Equal(
            a.Clusters[0].Guests.Select(g => (g.Vmid, g.Name, g.Node, g.Type, g.State)),
            b.Clusters[0].Guests.Select(g => (g.Vmid, g.Name, g.Node, g.Type, g.State)));
        Assert.Equal(a.Clusters[0].ApiToken, b.Clusters[0].ApiToken);
        Assert.NotEqual(a.Clusters[0].PrimaryUrl, b.Clusters[0].PrimaryUrl);
    }
}
