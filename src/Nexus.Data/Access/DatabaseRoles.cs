using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Data.Access;

/// <summary>
/// Gives the roles created by the migrations (<c>nexus_app</c>, <c>nexus_worker</c>) a login, and returns the
/// connection strings the application uses. Runs once at start-up, after the migrations, as the owner.
/// </summary>
/// <remarks>
/// The role passwords are derived from the owner's password (HMAC-SHA256 of the role name keyed by it) rather
/// than generated and stored: every silo that shares a database computes the same passwords, so one silo's
/// start-up never changes a password another silo is using, and there is no second secret file to lose or keep
/// in step. Whoever knows the owner password already controls the database, so the derivation reveals nothing.
/// </remarks>
public static class DatabaseRoles
{
    public const string AppRole = "nexus_app";
    public const string WorkerRole = "nexus_worker";

    private const string InvalidPassword = "28P01";
    private const string InvalidAuthorization = "28000";
    private const string InternalError = "XX000";

    /// <summary>
    /// Returns usable options: the configured ones, checked; otherwise ones derived from the owner connection,
    /// after making sure both roles can log in with them.
    /// </summary>
    public static async Task<NexusDatabaseOptions> PrepareAsync(
        string ownerConnectionString, NexusDatabaseOptions configured, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(logger);
        var appSet = !string.IsNullOrWhiteSpace(configured.AppConnectionString);
        var workerSet = !string.IsNullOrWhiteSpace(configured.WorkerConnectionString);
        if (appSet || workerSet)
        {
            configured.Validate();
            await CheckRoleAsync(configured.AppConnectionString!, NexusDatabaseOptions.AppConnectionStringSetting, ct);
            await CheckRoleAsync(configured.WorkerConnectionString!, NexusDatabaseOptions.WorkerConnectionStringSetting, ct);
            return configured;
        }

        var owner = new NpgsqlConnectionStringBuilder(ownerConnectionString);
        if (string.IsNullOrEmpty(owner.Password))
        {
            throw new NexusStartupException(
                $"{NexusDatabaseOptions.AppConnectionStringSetting}: required when the owner connection string has no password (set it and {NexusDatabaseOptions.WorkerConnectionStringSetting})");
        }

        var derived = new NexusDatabaseOptions
        {
            AppConnectionString = ConnectionStringFor(owner, AppRole),
            WorkerConnectionString = ConnectionStringFor(owner, WorkerRole),
        };
        await EnsureLoginAsync(ownerConnectionString, AppRole, derived.AppConnectionString, logger, ct);
        await EnsureLoginAsync(ownerConnectionString, WorkerRole, derived.WorkerConnectionString, logger, ct);
        return derived;
    }

    internal static string DerivePassword(string ownerPassword, string role)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(ownerPassword), Encoding.UTF8.GetBytes("nexus-role-password:v1:" + role));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static string ConnectionStringFor(NpgsqlConnectionStringBuilder owner, string role)
    {
        var builder = new NpgsqlConnectionStringBuilder(owner.ConnectionString)
        {
            Username = role,
            Password = DerivePassword(owner.Password!, role),
            ApplicationName = role,
        };
        return builder.ConnectionString;
    }

    private static async Task EnsureLoginAsync(string ownerConnectionString, string role, string roleConnectionString, ILogger logger, CancellationToken ct)
    {
        if (await CanLogInAsync(roleConnectionString, ct))
        {
            return;
        }

        var password = new NpgsqlConnectionStringBuilder(roleConnectionString).Password!;
        // ALTER ROLE takes no bind parameters; the password is base64url, so quoting it is exact.
        var sql = $"ALTER ROLE {role} LOGIN PASSWORD '{password}'";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ownerConnectionString) { Pooling = false }.ConnectionString);
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync(ct);
                logger.LogInformation("Database role {Role} can log in", role);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == InternalError && attempt < 5)
            {
                // "tuple concurrently updated": another silo (or another database on this server) altered the
                // same cluster-wide role at the same moment. Same password; try again.
                await Task.Delay(50 * attempt, ct);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.UndefinedObject)
            {
                throw new NexusStartupException(
                    $"{NexusDatabaseOptions.AppConnectionStringSetting}: the owner cannot give role {role} a login ({ex.MessageText}); create the roles' logins yourself and set {NexusDatabaseOptions.AppConnectionStringSetting} and {NexusDatabaseOptions.WorkerConnectionStringSetting}",
                    ex);
            }
        }
    }

    private static async Task<bool> CanLogInAsync(string connectionString, CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(ct);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState is InvalidPassword or InvalidAuthorization)
        {
            return false;
        }
    }

    // A configured role must exist, log in, and be subject to row-level security.
    private static async Task CheckRoleAsync(string connectionString, string setting, CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(
                "SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user", connection);
            if (await command.ExecuteScalarAsync(ct) is true)
            {
                throw new NexusStartupException($"{setting}: the role must not be a superuser nor have BYPASSRLS");
            }
        }
        catch (NpgsqlException ex)
        {
            throw new NexusStartupException($"{setting}: cannot connect: {ex.Message}", ex);
        }
    }
}
