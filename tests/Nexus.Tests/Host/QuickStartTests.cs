using System.Diagnostics;
using System.Net;
using Nexus.Tests.Support;

namespace Nexus.Tests.Host;

/// <summary>The README's first Quick-start command, run as a process with nothing configured but a data folder.</summary>
public sealed class QuickStartTests : IDisposable
{
    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "nexus-quickstart-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task The_default_run_creates_its_database_becomes_ready_prints_its_url_and_restarts_from_the_same_folder()
    {
        var dataDirectory = Path.Combine(_dataRoot, "postgres");

        var firstRun = await RunUntilReadyAsync(dataDirectory);
        Assert.True(firstRun < TimeSpan.FromMinutes(2), $"first run took {firstRun}");
        Assert.True(File.Exists(Path.Combine(dataDirectory, "pgdata", "PG_VERSION")), "the embedded server's folder was initialised");

        var secondRun = await RunUntilReadyAsync(dataDirectory);
        Assert.True(secondRun < TimeSpan.FromSeconds(30), $"second run took {secondRun}");
    }

    [Fact]
    public async Task An_unknown_database_host_fails_start_up_with_one_line_naming_the_setting()
    {
        await using var host = HostProcess.Start(new Dictionary<string, string>
        {
            ["Nexus__DataDirectory"] = _dataRoot,
            ["Nexus__Database__ConnectionString"] = "Host=no-such-host.invalid;Database=nexus;Username=nexus;Password=x;Timeout=3",
        }, "--urls", $"http://127.0.0.1:{FreePort.Next()}", $"--Nexus:Silo:SiloPort={FreePort.Next()}");
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, host.ExitCode);
        var line = Assert.Single(host.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Nexus:Database:ConnectionString", line);
        Assert.Contains("no-such-host.invalid", line);
    }

    [Fact]
    public async Task A_silo_port_in_use_fails_start_up_with_one_line_naming_the_setting()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var host = HostProcess.Start(new Dictionary<string, string>
        {
            ["Nexus__DataDirectory"] = Path.Combine(_dataRoot, "unused"),
        }, "--urls", $"http://127.0.0.1:{FreePort.Next()}", $"--Nexus:Silo:SiloPort={port}");
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, host.ExitCode);
        var line = Assert.Single(host.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Nexus:Silo:SiloPort", line);
    }

    [Fact]
    public async Task An_unusable_data_folder_fails_start_up_with_one_line_naming_the_setting()
    {
        Directory.CreateDirectory(_dataRoot);
        var notAFolder = Path.Combine(_dataRoot, "a-file");
        await File.WriteAllTextAsync(notAFolder, "not a folder");

        await using var host = HostProcess.Start(new Dictionary<string, string>
        {
            ["Nexus__DataDirectory"] = _dataRoot,
            ["Nexus__Database__DataDirectory"] = notAFolder,
        }, "--urls", $"http://127.0.0.1:{FreePort.Next()}", $"--Nexus:Silo:SiloPort={FreePort.Next()}");
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, host.ExitCode);
        var line = Assert.Single(host.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Nexus:Database:DataDirectory", line);
    }

    [Fact]
    public async Task The_migrate_verb_applies_every_script_once_and_exits()
    {
        var connectionString = await Nexus.Tests.Data.TestPostgres.CreateEmptyDatabaseAsync();
        var env = new Dictionary<string, string> { ["Nexus__Database__ConnectionString"] = connectionString };

        for (var run = 0; run < 2; run++)
        {
            await using var migrate = HostProcess.Start(env, "migrate");
            await migrate.WaitForExitAsync(TimeSpan.FromSeconds(120));
            Assert.True(migrate.ExitCode == 0, migrate.Stderr);
            Assert.Contains("Database is up to date.", migrate.Stdout);
        }

        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand(
            $"SELECT count(*), count(DISTINCT scriptname) FROM {Nexus.Data.Migrations.DatabaseMigrator.JournalTable}", connection);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        var scripts = typeof(Nexus.Data.Migrations.DatabaseMigrator).Assembly.GetManifestResourceNames().Count(n => n.EndsWith(".sql", StringComparison.Ordinal));
        Assert.Equal(scripts, reader.GetInt64(0));
        Assert.Equal(scripts, reader.GetInt64(1));
    }

    private async Task<TimeSpan> RunUntilReadyAsync(string dataDirectory)
    {
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port}";
        var clock = Stopwatch.StartNew();
        await using var host = HostProcess.Start(new Dictionary<string, string>
        {
            // Only the data root: the embedded database goes to its default place under it ({root}/postgres).
            ["Nexus__DataDirectory"] = _dataRoot,
        }, "--urls", url, $"--Nexus:Silo:SiloPort={FreePort.Next()}");

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.ResultAsync(async () =>
        {
            Assert.False(host.HasExited, $"host exited: {host.Stderr}");
            var response = await http.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.OK ? true : throw new InvalidOperationException($"/readyz {response.StatusCode}");
        }, TimeSpan.FromMinutes(2), "/readyz answers 200");
        var elapsed = clock.Elapsed;

        Assert.Contains($"Nexus is listening on {url}", host.Stdout);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

        Assert.Equal(0, await host.StopAsync(TimeSpan.FromSeconds(60)));
        Assert.False(File.Exists(Path.Combine(dataDirectory, "pgdata", "postmaster.pid")), "the embedded server stopped with the host");
        return elapsed;
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
        catch (UnauthorizedAccessException)
        {
        }
    }
}
