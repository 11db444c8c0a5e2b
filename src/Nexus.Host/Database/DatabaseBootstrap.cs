using System.Net.Sockets;
using Npgsql;
using Nexus.Data;
using Nexus.Data.Access;
using Nexus.Data.Embedded;
using Nexus.Data.Migrations;
using Nexus.Host.Startup;

namespace Nexus.Host.Database;

/// <summary>The database this process uses, resolved before the host is built (Orleans needs it to start).</summary>
internal sealed record DatabaseConnection(string ConnectionString, EmbeddedPostgres? Embedded);

internal static class DatabaseBootstrap
{
    private const string ConnectionStringSetting = DatabaseOptions.Section + ":ConnectionString";

    /// <summary>Connects to the configured database, or starts the embedded one, and applies pending scripts.</summary>
    public static async Task<DatabaseConnection> PrepareAsync(DatabaseOptions options, bool migrate, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("Nexus.Database");
        EmbeddedPostgres? embedded = null;
        string connectionString;
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
            {
                DataDirectory = options.DataDirectory,
                Port = options.Port,
                BinDirectory = options.BinDirectory,
            }, logger, ct);
            connectionString = embedded.ConnectionString;
        }
        else
        {
            connectionString = Validate(options.ConnectionString);
        }

        try
        {
            if (migrate)
            {
                await DatabaseMigrator.MigrateAsync(connectionString, logger, ct);
            }
            else
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync();
            }
            throw new NexusStartupException($"{(embedded is null ? ConnectionStringSetting : DatabaseOptions.Section)}: cannot use the database at {Describe(connectionString)}: {Innermost(ex).Message}");
        }
        return new DatabaseConnection(connectionString, embedded);
    }

    /// <summary>
    /// Gives the application and worker roles their login (or checks the configured
    /// <c>Nexus:Database:AppConnectionString</c> / <c>WorkerConnectionString</c>) and returns their connection strings.
    /// </summary>
    public static async Task<NexusDatabaseOptions> PrepareRolesAsync(IConfiguration configuration, DatabaseConnection database, ILoggerFactory loggers, CancellationToken ct)
    {
        var configured = StartupOptions.BindAndValidate<NexusDatabaseOptions>(configuration, NexusDatabaseOptions.Section);
        try
        {
            return await DatabaseRoles.PrepareAsync(database.ConnectionString, configured, loggers.CreateLogger("Nexus.Database"), ct);
        }
        catch (Exception ex) when (ex is NexusStartupException or NpgsqlException or SocketException or TimeoutException)
        {
            if (database.Embedded is { } embedded)
            {
                await embedded.DisposeAsync();
            }
            if (ex is NexusStartupException)
            {
                throw;
            }
            throw new NexusStartupException($"{NexusDatabaseOptions.AppConnectionStringSetting}: cannot prepare the database roles at {Describe(database.ConnectionString)}: {Innermost(ex).Message}");
        }
    }

    private static string Validate(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Host))
            {
                throw new NexusStartupException($"{ConnectionStringSetting}: no Host in the connection string");
            }
            return builder.ConnectionString;
        }
        catch (ArgumentException ex)
        {
            throw new NexusStartupException($"{ConnectionStringSetting}: {ex.Message}");
        }
    }

    // Host, port and database only: the connection string carries the password.
    private static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex;
    }
}

/// <summary>Stops the embedded server after everything else (hosted services stop in reverse order of registration).</summary>
internal sealed class EmbeddedDatabaseLifetime(DatabaseConnection database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (database.Embedded is { } embedded)
        {
            await embedded.StopAsync();
        }
    }
}
