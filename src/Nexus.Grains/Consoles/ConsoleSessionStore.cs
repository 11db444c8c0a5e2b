using System.Net;
using Dapper;
using Nexus.Data.Access;

namespace Nexus.Grains.Consoles;

/// <summary>A session's record as stored in <c>nexus.console_sessions</c>.</summary>
public sealed record ConsoleSessionRecord(
    Guid Id,
    Guid TenantId,
    Guid? UserId,
    string? UserEmail,
    Guid? ServerId,
    string GuestType,
    int VmId,
    string Node,
    bool ViewOnly,
    DateTime OpenedAt,
    DateTime? StartedAt,
    DateTime? EndedAt,
    long BytesToGuest,
    long BytesFromGuest,
    int? CloseCode,
    string? CloseReason,
    IPAddress? ClientIp,
    string? PumpSilo);

/// <summary>
/// The session records: one row per session, inserted at open and completed at close by the session's grain (worker
/// role); read by the sessions API under the caller's row-level security (tenant admins all, users their own).
/// </summary>
public sealed class ConsoleSessionStore
{
    public const int MaxReasonLength = 200;

    private const string Columns = """
        s.id AS Id, s.tenant_id AS TenantId, s.user_id AS UserId, u.email AS UserEmail, s.server_id AS ServerId,
        s.guest_type AS GuestType, s.vmid AS VmId, s.node AS Node, s.view_only AS ViewOnly, s.opened_at AS OpenedAt,
        s.started_at AS StartedAt, s.ended_at AS EndedAt, s.bytes_to_guest AS BytesToGuest, s.bytes_from_guest AS BytesFromGuest,
        s.close_code AS CloseCode, s.close_reason AS CloseReason, s.client_ip AS ClientIp, s.pump_silo AS PumpSilo
        """;

    public async Task InsertAsync(DbSession session, Guid id, Guid tenantId, Guid userId, Guid serverId, string guestType, int vmId,
        string node, bool viewOnly, DateTimeOffset openedAt, IPAddress? clientIp)
    {
        ArgumentNullException.ThrowIfNull(session);
        await session.Connection.ExecuteAsync(
            """
            INSERT INTO nexus.console_sessions (id, tenant_id, user_id, server_id, guest_type, vmid, node, view_only, opened_at, client_ip)
            VALUES (@id, @tenantId, @userId, @serverId, @guestType, @vmId, @node, @viewOnly, @openedAt, @clientIp)
            ON CONFLICT (id) DO NOTHING
            """,
            new { id, tenantId, userId, serverId, guestType, vmId, node, viewOnly, openedAt = openedAt.UtcDateTime, clientIp },
            session.Transaction);
    }

    public async Task SetPumpAsync(DbSession session, Guid id, string pumpSilo)
    {
        ArgumentNullException.ThrowIfNull(session);
        await session.Connection.ExecuteAsync(
            "UPDATE nexus.console_sessions SET pump_silo = @pumpSilo WHERE id = @id AND ended_at IS NULL",
            new { id, pumpSilo }, session.Transaction);
    }

    public async Task SetStartedAsync(DbSession session, Guid id, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(session);
        await session.Connection.ExecuteAsync(
            "UPDATE nexus.console_sessions SET started_at = @startedAt WHERE id = @id AND ended_at IS NULL AND started_at IS NULL",
            new { id, startedAt = startedAt.UtcDateTime }, session.Transaction);
    }

    /// <summary>Completes the record once; false when it had already ended (a repeated close changes nothing).</summary>
    public async Task<bool> CloseAsync(DbSession session, Guid id, DateTimeOffset endedAt, long bytesToGuest, long bytesFromGuest,
        int closeCode, string closeReason, string? pumpSilo)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(closeReason);
        var reason = closeReason.Length > MaxReasonLength ? closeReason[..MaxReasonLength] : closeReason;
        return await session.Connection.ExecuteAsync(
            """
            UPDATE nexus.console_sessions
            SET ended_at = greatest(@endedAt, opened_at), bytes_to_guest = @bytesToGuest, bytes_from_guest = @bytesFromGuest,
                close_code = @closeCode, close_reason = @reason, pump_silo = coalesce(@pumpSilo, pump_silo)
            WHERE id = @id AND ended_at IS NULL
            """,
            new { id, endedAt = endedAt.UtcDateTime, bytesToGuest, bytesFromGuest, closeCode, reason, pumpSilo },
            session.Transaction) == 1;
    }

    /// <summary>The tenant's sessions that have not ended, as far as the session's caller may read them, oldest first.</summary>
    public async Task<IReadOnlyList<ConsoleSessionRecord>> ListActiveAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<ConsoleSessionRecord>(
            $"""
            SELECT {Columns} FROM nexus.console_sessions s LEFT JOIN nexus.users u ON u.id = s.user_id
            WHERE s.tenant_id = @tenantId AND s.ended_at IS NULL ORDER BY s.opened_at, s.id
            """,
            new { tenantId }, session.Transaction);
        return rows.ToList();
    }

    /// <summary>The ids of <paramref name="userId"/>'s sessions that have not ended, as far as the session's caller may read them.</summary>
    public async Task<IReadOnlyList<Guid>> ListActiveIdsOfUserAsync(DbSession session, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var ids = await session.Connection.QueryAsync<Guid>(
            "SELECT id FROM nexus.console_sessions WHERE user_id = @userId AND ended_at IS NULL ORDER BY opened_at, id",
            new { userId }, session.Transaction);
        return ids.ToList();
    }

    /// <summary>One record, if the session's caller may read it.</summary>
    public async Task<ConsoleSessionRecord?> FindAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.QuerySingleOrDefaultAsync<ConsoleSessionRecord>(
            $"SELECT {Columns} FROM nexus.console_sessions s LEFT JOIN nexus.users u ON u.id = s.user_id WHERE s.id = @id",
            new { id }, session.Transaction);
    }
}
