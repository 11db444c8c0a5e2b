using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Data.Embedded;

/// <summary>
/// A private PostgreSQL server run from the machine's binaries in a folder of its own: created with initdb on the
/// first run, reused afterwards, listening on 127.0.0.1 only, password-protected (scram-sha-256), stopped on
/// dispose. The default run of the host uses it when no connection string is configured; tests use it for a
/// real database.
/// </summary>
public sealed partial class EmbeddedPostgres : IAsyncDisposable
{
    /// <summary>The bootstrap superuser created by initdb, owner of every database on this server.</summary>
    public const string Superuser = "nexus";

    /// <summary>The database <see cref="ConnectionString"/> points at.</summary>
    public const string DefaultDatabase = "nexus";

    private readonly DataFolder folder;
    private readonly ServerAccount account;
    private readonly PostgresBinaries binaries;
    private readonly ILogger logger;
    private readonly FileStream folderLock;
    private readonly string password;
    private readonly SemaphoreSlim stopGate = new(1, 1);
    private readonly List<string> issuedConnectionStrings = [];
    private bool running = true;

    private EmbeddedPostgres(DataFolder folder, ServerAccount account, PostgresBinaries binaries, ILogger logger, FileStream folderLock, string password, int port)
    {
        this.folder = folder;
        this.account = account;
        this.binaries = binaries;
        this.logger = logger;
        this.folderLock = folderLock;
        this.password = password;
        Port = port;
        ConnectionString = ConnectionStringFor(DefaultDatabase);
    }

    /// <summary>Connection string of the <c>nexus</c> database, as the owner role.</summary>
    public string ConnectionString { get; }

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The folder that holds the cluster, its password file and its port.</summary>
    public string DataDirectory => folder.Root;

    /// <summary>
    /// Starts the server (initialising the folder on the first run, adopting a server left running by a killed
    /// process) and makes sure the <c>nexus</c> database exists. Configuration and machine problems surface as
    /// <see cref="NexusStartupException"/> with one line naming the setting.
    /// </summary>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Port is < 0 or > 65535)
        {
            throw new NexusStartupException($"{EmbeddedPostgresOptions.PortSetting}: {options.Port} is not a TCP port (0 picks a free one)");
        }

        if (options.MaxConnections is < 10 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxConnections, "MaxConnections is between 10 and 10,000.");
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new NexusStartupException($"the embedded PostgreSQL runs on Linux only: set {EmbeddedPostgresOptions.ConnectionStringSetting}");
        }

        var binaries = PostgresBinaries.Locate(options.BinDirectory);
        var account = await ServerAccount.ForCurrentProcessAsync(ct);
        var folder = new DataFolder(options.ResolveDataDirectory());
        folder.Create();
        var folderLock = folder.Lock();
        var started = false;
        try
        {
            await account.GiveAsync(folder.Root, ct);
            await account.EnsureCanUseAsync(folder.Root, ct);

            var password = await PrepareClusterAsync(folder, account, binaries, options, logger, ct);
            var (port, adopted) = await StartOrAdoptAsync(folder, account, binaries, options, password, logger, ct);
            started = true;

            var server = new EmbeddedPostgres(folder, account, binaries, logger, folderLock, password, port);
            await server.CreateDatabaseAsync(DefaultDatabase, ct);
            logger.LogInformation(
                "Embedded PostgreSQL ready on 127.0.0.1:{Port} (data {DataDirectory}, {How})",
                port, folder.Root, adopted ? "adopted a running server" : "started");
            return server;
        }
        catch
        {
            if (started)
            {
                await StopClusterAsync(folder, account, binaries, logger);
            }

            await folderLock.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a database (if missing) owned by <see cref="Superuser"/> and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException("Database names here are lower-case letters, digits and underscores.", nameof(name));
        }

        await using (var connection = new NpgsqlConnection(AdminConnectionString()))
        {
            await connection.OpenAsync(ct);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER \"{Superuser}\"", connection);
                try
                {
                    await create.ExecuteNonQueryAsync(ct);
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
                {
                    // Created concurrently: fine.
                }
            }
        }

        var connectionString = ConnectionStringFor(name);
        lock (issuedConnectionStrings)
        {
            issuedConnectionStrings.Add(connectionString);
        }
        return connectionString;
    }

    /// <summary>Stops the server (fast shutdown: open sessions are ended) and releases the folder. Idempotent.</summary>
    public async Task StopAsync()
    {
        await stopGate.WaitAsync();
        try
        {
            if (!running)
            {
                return;
            }

            running = false;
            await StopClusterAsync(folder, account, binaries, logger);

            // Pooled connections point at a server that is gone; a restarted server must not inherit them.
            string[] issued;
            lock (issuedConnectionStrings)
            {
                issued = [.. issuedConnectionStrings, ConnectionString];
            }
            foreach (var connectionString in issued)
            {
                using var connection = new NpgsqlConnection(connectionString);
                NpgsqlConnection.ClearPool(connection);
            }

            await folderLock.DisposeAsync();
        }
        finally
        {
            stopGate.Release();
        }
    }

    // The gate is not disposed: StopAsync and DisposeAsync may both be called, in any order, more than once.
    public async ValueTask DisposeAsync() => await StopAsync();

    private string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        Database = database,
        Username = Superuser,
        Password = password,
    }.ConnectionString;

    private string AdminConnectionString() => new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false }.ConnectionString;

    /// <summary>Runs initdb on a new folder, or checks that an existing one fits these binaries. Returns the password.</summary>
    [SupportedOSPlatform("linux")]
    private static async Task<string> PrepareClusterAsync(
        DataFolder folder, ServerAccount account, PostgresBinaries binaries, EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        if (folder.IsInitialized)
        {
            var existing = folder.ReadPassword();
            if (string.IsNullOrEmpty(existing))
            {
                throw new NexusStartupException(
                    $"{EmbeddedPostgresOptions.DataDirectorySetting}: '{folder.Root}' holds a database but no password file; restore '{folder.PasswordFile}' or use an empty folder");
            }

            await CheckVersionAsync(folder, account, binaries, ct);
            return existing;
        }

        // A cluster folder without PG_VERSION is the remains of an interrupted initdb: it holds no data.
        if (Directory.Exists(folder.Cluster))
        {
            Directory.Delete(folder.Cluster, recursive: true);
        }

        logger.LogInformation("Creating the embedded PostgreSQL cluster in {DataDirectory} with {Binaries}", folder.Root, binaries.Directory);
        var password = folder.CreatePassword();
        await account.GiveAsync(folder.PasswordFile, ct);

        List<string> arguments =
        [
            "-D", folder.Cluster,
            "-U", Superuser,
            $"--pwfile={folder.PasswordFile}",
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
            "-E", "UTF8",
            "--no-locale",
        ];
        if (!options.Durable)
        {
            arguments.Add("--no-sync");
        }

        var initdb = await account.RunAsync(binaries.InitDb, arguments, folder.Root, ct);
        if (!initdb.Succeeded)
        {
            throw new NexusStartupException(
                $"{EmbeddedPostgresOptions.DataDirectorySetting}: initdb failed in '{folder.Root}': {initdb.LastLine}");
        }

        // Our settings live in a file of their own, rewritten at each start from the options.
        await File.AppendAllTextAsync(
            Path.Combine(folder.Cluster, "postgresql.conf"),
            "\n# Nexus: settings written at every start\ninclude_if_exists = 'nexus.conf'\n",
            ct);
        return password;
    }

    private static async Task CheckVersionAsync(DataFolder folder, ServerAccount account, PostgresBinaries binaries, CancellationToken ct)
    {
        var clusterVersion = (await File.ReadAllTextAsync(Path.Combine(folder.Cluster, "PG_VERSION"), ct)).Trim();
        var version = await account.RunAsync(binaries.PgCtl, ["--version"], folder.Root, ct);
        var match = MajorVersion().Match(version.StandardOutput);
        if (match.Success && match.Groups[1].Value != clusterVersion)
        {
            throw new NexusStartupException(
                $"{EmbeddedPostgresOptions.DataDirectorySetting}: '{folder.Root}' holds a PostgreSQL {clusterVersion} cluster but the binaries in '{binaries.Directory}' are version {match.Groups[1].Value}; set {EmbeddedPostgresOptions.BinDirectorySetting} to version {clusterVersion} or use a new folder");
        }
    }

    [SupportedOSPlatform("linux")]
    private static async Task<(int Port, bool Adopted)> StartOrAdoptAsync(
        DataFolder folder, ServerAccount account, PostgresBinaries binaries, EmbeddedPostgresOptions options, string password, ILogger logger, CancellationToken ct)
    {
        // We hold the folder lock, so a server already running here was left behind by a process that died.
        if (folder.ReadPidFile() is { } previous)
        {
            if (IsLivePostgres(previous.Pid))
            {
                if ((options.Port == 0 || options.Port == previous.Port) && await CanConnectAsync(previous.Port, password, ct))
                {
                    logger.LogInformation("Adopting the embedded PostgreSQL left running (pid {Pid})", previous.Pid);
                    return (previous.Port, true);
                }

                logger.LogInformation("Restarting the embedded PostgreSQL left running (pid {Pid})", previous.Pid);
                await StopClusterAsync(folder, account, binaries, logger);
            }
            else
            {
                // The recorded process is gone (or its pid now belongs to another program, as after a reboot of a
                // container): PostgreSQL would refuse to start while this file names a live process.
                File.Delete(folder.PidFile);
            }
        }

        var port = ChoosePort(folder, options, logger);
        await WriteSettingsAsync(folder, account, port, options, ct);

        var start = await account.RunAsync(
            binaries.PgCtl,
            ["start", "-w", "-t", "120", "-s", "-D", folder.Cluster, "-l", folder.ServerLog],
            folder.Root,
            ct);
        if (!start.Succeeded)
        {
            var reason = folder.LastServerError() ?? start.LastLine;
            if (reason.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                || reason.Contains("could not create any TCP/IP sockets", StringComparison.OrdinalIgnoreCase))
            {
                throw new NexusStartupException($"{EmbeddedPostgresOptions.PortSetting}: PostgreSQL cannot listen on 127.0.0.1:{port}: {reason}");
            }

            throw new NexusStartupException($"{EmbeddedPostgresOptions.DataDirectorySetting}: PostgreSQL did not start from '{folder.Root}': {reason}");
        }

        return (port, false);
    }

    [SupportedOSPlatform("linux")]
    private static int ChoosePort(DataFolder folder, EmbeddedPostgresOptions options, ILogger logger)
    {
        if (options.Port > 0)
        {
            return LoopbackPorts.IsFree(options.Port)
                ? options.Port
                : throw new NexusStartupException($"{EmbeddedPostgresOptions.PortSetting}: port {options.Port} on 127.0.0.1 is already in use");
        }

        if (folder.ReadPort() is { } kept)
        {
            if (LoopbackPorts.IsFree(kept))
            {
                return kept;
            }

            logger.LogWarning("Port {Port} kept for the embedded PostgreSQL is taken by another program; choosing another", kept);
        }

        var chosen = LoopbackPorts.Choose();
        folder.WritePort(chosen);
        return chosen;
    }

    private static async Task WriteSettingsAsync(DataFolder folder, ServerAccount account, int port, EmbeddedPostgresOptions options, CancellationToken ct)
    {
        var settings = new StringBuilder()
            .AppendLine("# Written by Nexus at every start of the embedded server; edits here are overwritten.")
            // Loopback TCP only; no Unix socket, so nothing collides with a system server's /var/run/postgresql.
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"port = {port}")
            .AppendLine("unix_socket_directories = ''")
            .AppendLine("password_encryption = 'scram-sha-256'")
            .AppendLine("timezone = 'UTC'")
            .AppendLine("log_timezone = 'UTC'")
            .AppendLine(CultureInfo.InvariantCulture, $"max_connections = {options.MaxConnections}");
        if (!options.Durable)
        {
            settings.AppendLine("fsync = off").AppendLine("synchronous_commit = off").AppendLine("full_page_writes = off");
        }

        var file = Path.Combine(folder.Cluster, "nexus.conf");
        await File.WriteAllTextAsync(file, settings.ToString(), ct);
        await account.GiveAsync(file, ct);
    }

    private static async Task StopClusterAsync(DataFolder folder, ServerAccount account, PostgresBinaries binaries, ILogger logger)
    {
        var stop = await account.RunAsync(
            binaries.PgCtl, ["stop", "-w", "-t", "60", "-s", "-m", "fast", "-D", folder.Cluster], folder.Root, CancellationToken.None);
        if (stop.Succeeded)
        {
            logger.LogInformation("Embedded PostgreSQL stopped ({DataDirectory})", folder.Root);
        }
        else
        {
            logger.LogWarning("Stopping the embedded PostgreSQL in {DataDirectory} failed: {Reason}", folder.Root, stop.LastLine);
        }
    }

    private static bool IsLivePostgres(int pid)
    {
        try
        {
            var comm = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm";
            return File.Exists(comm) && File.ReadAllText(comm).Trim() is "postgres" or "postmaster";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<bool> CanConnectAsync(int port, string password, CancellationToken ct)
    {
        var probe = new NpgsqlConnectionStringBuilder
        {
            Host = IPAddress.Loopback.ToString(),
            Port = port,
            Database = "postgres",
            Username = Superuser,
            Password = password,
            Pooling = false,
            Timeout = 5,
        };
        try
        {
            await using var connection = new NpgsqlConnection(probe.ConnectionString);
            await connection.OpenAsync(ct);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();

    [GeneratedRegex(@"\(PostgreSQL\) (\d+)")]
    private static partial Regex MajorVersion();
}
