using System.Net;
using System.Text.RegularExpressions;
using Nexus.Tests.Data;
using Nexus.Tests.Support;
using Nexus.Tests.Web;

namespace Nexus.Tests.Identity;

/// <summary>The first run's global admin, generated and shown once, as an operator sees it on the console.</summary>
public sealed partial class BootstrapAdminTests : IAsyncLifetime
{
    private readonly DatabaseFixture _database = new();
    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "nexus-bootstrap-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync()
    {
        if (Directory.Exists(_dataRoot))
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        return Task.CompletedTask;
    }

    [GeneratedRegex(@"email:\s+(\S+)\s+password:\s+(\S+)")]
    private static partial Regex Credentials();

    [Fact]
    public async Task The_first_run_prints_a_generated_admin_password_once_and_it_signs_in()
    {
        await RunAsync(async (host, http) =>
        {
            var match = Credentials().Match(host.Stdout);
            Assert.True(match.Success, $"no credentials block in:\n{host.Stdout}");
            var (email, password) = (match.Groups[1].Value, match.Groups[2].Value);
            Assert.Equal(1, Regex.Count(host.Stdout + host.Stderr, Regex.Escape(password)));

            var client = await ApiClient.SignInAsync(http, email, password);
            var me = await client.CallAsync(HttpMethod.Get, "/api/me");
            Assert.Equal("admin", me.GetProperty("globalRole").GetString());
        });

        // The next start finds users and neither creates nor prints anything.
        await RunAsync((host, _) =>
        {
            Assert.DoesNotContain("password:", host.Stdout);
            return Task.CompletedTask;
        });
    }

    private async Task RunAsync(Func<HostProcess, HttpClient, Task> check)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var host = HostProcess.Start(new Dictionary<string, string>
        {
            ["Nexus__Database__ConnectionString"] = _database.ConnectionString,
            ["Nexus__DataDirectory"] = _dataRoot,
            ["Nexus__Silo__ClusterId"] = "bootstrap-" + Guid.NewGuid().ToString("N")[..8],
        }, "--urls", url, $"--Nexus:Silo:SiloPort={FreePort.Next()}");
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.ResultAsync(async () =>
        {
            Assert.False(host.HasExited, $"host exited: {host.Stderr}");
            var response = await http.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.OK ? true : throw new InvalidOperationException($"/readyz {response.StatusCode}");
        }, TimeSpan.FromMinutes(1), "/readyz answers 200");
        await check(host, http);
    }
}
