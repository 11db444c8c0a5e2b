using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Data.Migrations;

/// <summary>
/// Creates the target database when it does not exist yet. Hand-written rather than DbUp's EnsureDatabase,
/// which always connects to the maintenance database first — often forbidden in production where the
/// database already exists.
/// </summary>
internal static class DatabaseCreator
{
    private const string InvalidCatalogName = "3D000";
    private const string DuplicateDatabase = "42P04";

    // Two CREATE DATABASE racing each other can also trip the catalogue's unique index instead.
    private const string UniqueViolation = "23505";

    public static async Task EnsureExistsAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        try
        {
            await using var probe = new NpgsqlConnection(connectionString);
            await probe.OpenAsync(ct);
            return;
        }
        catch (PostgresException ex) when (ex.SqlState == InvalidCatalogName && !string.IsNullOrEmpty(target.Database))
        {
            logger.LogInformation("Database {Database} does not exist; creating it", target.Database);
        }

        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(ct);
        await using var create = new NpgsqlCommand(
            $"CREATE DATABASE {QuoteIdentifier(target.Database!)}", connection);
        try
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState is DuplicateDatabase or UniqueViolation)
        {
            // Another silo created it between our probe and our CREATE.
        }
    }

    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
