using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Data;
using Nexus.Data.Embedded;
using Npgsql;

namespace Nexus.Tests.Data;

[SupportedOSPlatform("linux")]
public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly List<string> _folders = [];

    [Fact]
    public async Task Restarted_server_reuses_its_folder_port_and_password_and_keeps_data()
    {
        var folder = NewFolder();
        int port;
        await using (var first = await StartAsync(new EmbeddedPostgresOptions { DataDirectory = folder, Durable = false }))
        {
            port = first.Port;
            await using var connection = new NpgsqlConnection(first.ConnectionString);
            await connection.ExecuteAsync("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
        }

        await using var second = await StartAsync(new EmbeddedPostgresOptions { DataDirectory = folder, Durable = false });

        Assert.Equal(port, second.Port);
        // Below the kernel's ephemeral range, where no outgoing connection can take it between the choice and the bind.
        Assert.InRange(port, 20_000, EphemeralStart() - 1);
        await using var again = new NpgsqlConnection(second.ConnectionString);
        Assert.Equal("still here", await again.ExecuteScalarAsync<string>("SELECT v FROM kept"));
    }

    [Fact]
    public async Task Server_listens_on_loopback_only_with_a_password_file_only_its_owner_can_read()
    {
        var server = await TestPostgres.GetAsync();

        var mode = File.GetUnixFileMode(Path.Combine(server.DataDirectory, "password"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.True((await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "password"))).Trim().Length >= 32);
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        Assert.Equal("127.0.0.1", await connection.ExecuteScalarAsync<string>("SHOW listen_addresses"));
        var withoutPassword = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Password = "wrong", Pooling = false };
        await using var intruder = new NpgsqlConnection(withoutPassword.ConnectionString);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => intruder.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }

    [Fact]
    public async Task The_connection_limit_is_the_one_asked_for()
    {
        // The test server asks for 1,000 (many classes with their own pools); a deployment's default is 300.
        var server = await TestPostgres.GetAsync();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        Assert.Equal("1000", await connection.ExecuteScalarAsync<string>("SHOW max_connections"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = NewFolder(), MaxConnections = 5 }, NullLogger.Instance, CancellationToken.None));
    }

    [Fact]
    public async Task Missing_binaries_fail_start_up_with_one_line_naming_the_package()
    {
        var emptyBin = NewFolder();
        Directory.CreateDirectory(emptyBin);

        var failure = await Assert.ThrowsAsync<NexusStartupException>(() =>
            StartAsync(new EmbeddedPostgresOptions { DataDirectory = NewFolder(), BinDirectory = emptyBin }));

        Assert.StartsWith(
            "PostgreSQL server binaries not found (initdb, pg_ctl): install the Debian package 'postgresql' or set Nexus:Database:ConnectionString",
            failure.Message);
        AssertOneLine(failure.Message);
    }

    [Fact]
    public void Chosen_ports_are_free_below_the_ephemeral_range_and_never_handed_out_twice()
    {
        var ports = Enumerable.Range(0, 200).AsParallel().Select(_ => LoopbackPorts.Choose()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 20_000, EphemeralStart() - 1));
        using var listener = new TcpListener(IPAddress.Loopback, ports[^1]);
        listener.Start();
    }

    private static int EphemeralStart() =>
        int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Port_in_use_fails_start_up_with_one_line_naming_the_port_setting()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var failure = await Assert.ThrowsAsync<NexusStartupException>(() =>
            StartAsync(new EmbeddedPostgresOptions { DataDirectory = NewFolder(), Port = taken, Durable = false }));

        Assert.StartsWith("Nexus:Database:Port:", failure.Message);
        Assert.Contains(taken.ToString(System.Globalization.CultureInfo.InvariantCulture), failure.Message);
        AssertOneLine(failure.Message);
    }

    [Fact]
    public async Task Data_folder_that_is_a_file_fails_start_up_with_one_line_naming_the_setting()
    {
        var file = NewFolder();
        await File.WriteAllTextAsync(file, "not a folder");

        var failure = await Assert.ThrowsAsync<NexusStartupException>(() =>
            StartAsync(new EmbeddedPostgresOptions { DataDirectory = file }));

        Assert.StartsWith("Nexus:Database:DataDirectory:", failure.Message);
        AssertOneLine(failure.Message);
    }

    [Fact]
    public async Task Folder_behind_a_0700_directory_is_refused_only_when_the_server_must_run_as_another_user()
    {
        var home = NewFolder();
        Directory.CreateDirectory(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new EmbeddedPostgresOptions { DataDirectory = Path.Combine(home, "nexus", "postgres"), Durable = false };

        if (Environment.IsPrivilegedProcess)
        {
            var failure = await Assert.ThrowsAsync<NexusStartupException>(() => StartAsync(options));
            Assert.StartsWith("Nexus:Database:DataDirectory:", failure.Message);
            Assert.Contains($"'{home}'", failure.Message);
            AssertOneLine(failure.Message);
        }
        else
        {
            await using var server = await StartAsync(options);
            Assert.Equal(options.DataDirectory, server.DataDirectory);
        }
    }

    [Fact]
    public async Task Server_left_running_by_a_killed_process_is_adopted_and_stale_pid_files_are_ignored()
    {
        var folder = NewFolder();
        int port;
        await using (var first = await StartAsync(new EmbeddedPostgresOptions { DataDirectory = folder, Durable = false }))
        {
            port = first.Port;
        }

        // A process that died without stopping its server: the server is still up, the folder lock is free.
        await RunAsServerUserAsync(FindPgCtl(), "start", "-w", "-s", "-D", Path.Combine(folder, "pgdata"), "-l", Path.Combine(folder, "server.log"));
        await using (var adopter = await StartAsync(new EmbeddedPostgresOptions { DataDirectory = folder, Durable = false }))
        {
            Assert.Equal(port, adopter.Port);
            await using var connection = new NpgsqlConnection(adopter.ConnectionString);
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT 1"));
        }

        // A pid file naming a live process that is not PostgreSQL (pid reuse after a crash or reboot).
        var pidFile = Path.Combine(folder, "pgdata", "postmaster.pid");
        await File.WriteAllLinesAsync(pidFile, [Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(folder, "pgdata"), "0", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await using var restarted = await StartAsync(new EmbeddedPostgresOptions { DataDirectory = folder, Durable = false });
        await using var again = new NpgsqlConnection(restarted.ConnectionString);
        Assert.Equal(1, await again.ExecuteScalarAsync<int>("SELECT 1"));
    }

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            if (File.Exists(folder))
            {
                File.Delete(folder);
            }
            else
            {
                TestPostgres.Remove(folder);
            }
        }
    }

    private string NewFolder()
    {
        var folder = TestPostgres.NewFolder();
        _folders.Add(folder);
        return folder;
    }

    private static Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options) =>
        EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);

    private static void AssertOneLine(string message) => Assert.DoesNotContain('\n', message);

    private static string FindPgCtl() =>
        File.ResolveLinkTarget("/usr/local/bin/pg_ctl", returnFinalTarget: true)?.FullName
        ?? Directory.GetDirectories("/usr/lib/postgresql").Select(dir => Path.Combine(dir, "bin", "pg_ctl")).First(File.Exists);

    private static async Task RunAsServerUserAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.IsPrivilegedProcess ? "/usr/sbin/runuser" : program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/tmp",
        };
        if (Environment.IsPrivilegedProcess)
        {
            foreach (var prefix in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(prefix);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
    }
}
