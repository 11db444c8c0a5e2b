using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Nexus.Data.Embedded;
using Nexus.Data.Migrations;

namespace Nexus.Tests.Data;

/// <summary>
/// One embedded PostgreSQL per test run, in a folder under /tmp that goes away when the test process exits.
/// Fast and not crash-safe (fsync off): nothing here outlives the run.
/// </summary>
public static class TestPostgres
{
    private const string FolderPrefix = "nexus-tests-pg-";

    private static readonly Lazy<Task<EmbeddedPostgres>> Server = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<EmbeddedPostgres> GetAsync() => Server.Value;

    /// <summary>
    /// A new, empty database on the shared server (no scripts applied). Its pools close idle connections after
    /// 10 s instead of Npgsql's 5 minutes: every test class has a database, and so its own pools, and the pools of
    /// finished classes would otherwise hold their connections until the server has none left for the running ones.
    /// </summary>
    public static async Task<string> CreateEmptyDatabaseAsync()
    {
        var server = await GetAsync();
        var connectionString = await server.CreateDatabaseAsync(NewDatabaseName(), CancellationToken.None);
        return new NpgsqlConnectionStringBuilder(connectionString) { ConnectionIdleLifetime = 10, ConnectionPruningInterval = 2 }.ConnectionString;
    }

    public static string NewDatabaseName() => "t_" + Guid.NewGuid().ToString("N");

    /// <summary>A folder for a test's own server, named so a later run can clean it up if this one is killed.</summary>
    public static string NewFolder() =>
        Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}");

    /// <summary>Stops whatever server still runs in a test folder and deletes it.</summary>
    public static void Remove(string folder)
    {
        KillServer(folder);

        // Backends of a killed server may still be closing files for a moment.
        for (var attempt = 0; Directory.Exists(folder); attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(50);
            }
        }
    }

    private static void KillServer(string folder)
    {
        var pidFile = Path.Combine(folder, "pgdata", "postmaster.pid");
        if (File.Exists(pidFile)
            && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            try
            {
                using var postmaster = Process.GetProcessById(pid);
                if (postmaster.ProcessName is "postgres" or "postmaster")
                {
                    // No wait: the container's init may never reap it, and the test host cuts exit handlers short.
                    postmaster.Kill();
                }
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    private static async Task<EmbeddedPostgres> StartAsync()
    {
        RemoveLeftoversOfKilledRuns();
        var folder = NewFolder();
        var server = await EmbeddedPostgres.StartAsync(
            // Several silos per test class and a few classes at once, each with its own pools: more than a deployment needs.
            new EmbeddedPostgresOptions { DataDirectory = folder, Durable = false, MaxConnections = 1000 },
            NullLogger.Instance,
            CancellationToken.None);

        // The test host gives exit handlers little time and no reliable async: kill the throwaway server outright
        // (fsync is off, nothing is kept) and leave the deletion of its folder to a process that outlives us.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            KillServer(folder);
            var remove = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var argument in new[] { "-c", "sleep 1; rm -rf -- \"$0\"", folder })
            {
                remove.ArgumentList.Add(argument);
            }
            Process.Start(remove)?.Dispose();
        };
        return server;
    }

    // A test run that was killed leaves its server running and its folder behind; the next run tidies up.
    private static void RemoveLeftoversOfKilledRuns()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = Path.GetFileName(folder)[FolderPrefix.Length..].Split('-')[0];
            if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsAlive(pid))
            {
                Remove(folder);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>A fresh, fully migrated database for one test class or collection, on the run's shared server.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateEmptyDatabaseAsync();
        await DatabaseMigrator.MigrateAsync(ConnectionString, NullLogger.Instance, CancellationToken.None);
    }

    // The database goes with the server's folder when the run ends.
    public Task DisposeAsync() => Task.CompletedTask;
}
