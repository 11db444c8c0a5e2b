using System.Net.Sockets;
using DbUp;
using DbUp.Engine;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Data.Migrations;

/// <summary>
/// Applies the numbered <c>sql/*.sql</c> scripts embedded in this assembly, in name order, each in its own
/// transaction, recording them in the journal table <c>public.nexus_migrations</c> (DbUp).
/// </summary>
public static class DatabaseMigrator
{
    /// <summary>The journal DbUp keeps of applied scripts (public: the nexus schema is itself created by a script).</summary>
    public const string JournalTable = "nexus_migrations";

    // Session-level advisory lock key shared by every Nexus process on a database ("NXMIGRAT" in ASCII).
    // Silos that start together queue on it, so each script runs exactly once and the losers find nothing to do.
    private const long MigrationLockKey = 0x4E584D4947524154;

    private const string ResourcePrefix = "sql/";

    /// <summary>
    /// Creates the database when it is missing (if the role may), then applies pending scripts under an advisory
    /// lock. A second run applies nothing.
    /// </summary>
    public static async Task MigrateAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(logger);
        await DatabaseCreator.EnsureExistsAsync(connectionString, logger, ct);

        // The lock lives as long as this connection's session; DbUp runs the scripts on its own connections.
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(ct);
        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            acquire.Parameters.AddWithValue("key", MigrationLockKey);
            acquire.CommandTimeout = 0;
            await acquire.ExecuteNonQueryAsync(ct);
        }

        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(
                    typeof(DatabaseMigrator).Assembly,
                    name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                        && name.EndsWith(".sql", StringComparison.Ordinal))
                .WithTransactionPerScript()
                // Scripts use $tag$ dollar quoting, which DbUp's $variable$ substitution would mangle.
                .WithVariablesDisabled()
                .JournalToPostgresqlTable("public", JournalTable)
                .LogTo(logger)
                .Build();

            var pending = upgrader.GetScriptsToExecute();
            if (pending.Count == 0)
            {
                logger.LogInformation("Database schema is up to date");
                return;
            }

            logger.LogInformation("Applying {Count} database scripts", pending.Count);
            DatabaseUpgradeResult result = await Task.Run(upgrader.PerformUpgrade, ct);
            if (!result.Successful)
            {
                var reason = FirstLine(result.Error?.Message ?? "unknown error");
                throw new NexusStartupException(
                    $"Database migration failed in script {result.ErrorScript?.Name ?? "?"}: {reason}", result.Error!);
            }
        }
        finally
        {
            await ReleaseAsync(lockConnection, logger);
        }
    }

    private static async Task ReleaseAsync(NpgsqlConnection lockConnection, ILogger logger)
    {
        try
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or InvalidOperationException)
        {
            // Closing the session releases the lock anyway.
            logger.LogDebug(ex, "Releasing the migration lock failed; the session end releases it");
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
