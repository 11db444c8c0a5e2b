using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Dapper;
using Nexus.Data.Access;
using Nexus.Data.Identity;

namespace Nexus.Data.Audit;

/// <summary>
/// The append-only audit log. The application role can insert and read, never change or delete; it can only
/// write rows about its own caller in tenants the caller can access (the actor's address is stamped by the
/// database). Readers are global admins (everything) and tenant admins (their tenant's rows).
/// </summary>
public sealed class AuditLog
{
    public const int MaxPageSize = 500;

    private const string Columns = """
        id AS Id, created_at AS CreatedAt, tenant_id AS TenantId, actor_id AS ActorId, actor_email AS ActorEmail,
        action AS Action, outcome AS Outcome, target_type AS TargetType, target_id AS TargetId, target_name AS TargetName,
        details::text AS DetailsJson, client_ip AS ClientIp, user_agent AS UserAgent
        """;

    /// <summary>
    /// Appends one event. Under the application role a row for another actor, or for a tenant the caller cannot
    /// access, raises <see cref="DataAccessDeniedException"/>: write those through the worker role.
    /// </summary>
    public async Task WriteAsync(DbSession session, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(entry);
        // No RETURNING: a viewer may write a row about themselves that the read policy does not show them.
        await session.Connection.ExecuteAsync(
            """
            INSERT INTO nexus.audit_log (tenant_id, actor_id, action, target_type, target_id, target_name, outcome, details, client_ip, user_agent)
            VALUES (@TenantId, @ActorId, @Action, @TargetType, @TargetId, @TargetName, @outcome, coalesce(@details::jsonb, '{}'::jsonb), @ClientIp, @UserAgent)
            """,
            new
            {
                entry.TenantId,
                entry.ActorId,
                entry.Action,
                entry.TargetType,
                entry.TargetId,
                entry.TargetName,
                outcome = ToDb(entry.Outcome),
                details = entry.DetailsJson,
                entry.ClientIp,
                entry.UserAgent,
            },
            session.Transaction);
    }

    /// <summary>One page, newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(DbSession session, AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(query);
        var (where, parameters) = Filter(query);
        parameters.Add("limit", Math.Clamp(query.Limit, 1, MaxPageSize));
        var rows = await session.Connection.QueryAsync<AuditRow>(
            $"SELECT {Columns} FROM nexus.audit_log WHERE {where} ORDER BY id DESC LIMIT @limit",
            parameters, session.Transaction);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>
    /// Every matching row, newest first, streamed (for CSV export) without holding the result in memory.
    /// <see cref="AuditQuery.Limit"/> is ignored. The enumeration must finish inside the session's unit of work.
    /// </summary>
    public async IAsyncEnumerable<AuditRecord> StreamAsync(DbSession session, AuditQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(query);
        var (where, parameters) = Filter(query);
        var sql = $"SELECT {Columns} FROM nexus.audit_log WHERE {where} ORDER BY id DESC";
        await foreach (var row in session.Connection.QueryUnbufferedAsync<AuditRow>(sql, parameters, session.Transaction).WithCancellation(ct))
        {
            yield return row.ToRecord();
        }
    }

    /// <summary>The export as CSV lines (header first), each ending in CRLF (RFC 4180), cells guarded against formula injection.</summary>
    public async IAsyncEnumerable<string> StreamCsvRowsAsync(DbSession session, AuditQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        yield return "id,created_at,tenant_id,actor_id,actor_email,action,outcome,target_type,target_id,target_name,details,client_ip,user_agent\r\n";
        await foreach (var r in StreamAsync(session, query, ct))
        {
            yield return AuditCsv.Line(
                r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                r.TenantId?.ToString(),
                r.ActorId?.ToString(),
                r.ActorEmail,
                r.Action,
                ToDb(r.Outcome),
                r.TargetType,
                r.TargetId,
                r.TargetName,
                r.DetailsJson,
                r.ClientIp?.ToString(),
                r.UserAgent);
        }
    }

    internal static string ToDb(AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Success => "success",
        AuditOutcome.Failure => "failure",
        _ => "denied",
    };

    private static AuditOutcome ParseOutcome(string value) => value switch
    {
        "success" => AuditOutcome.Success,
        "failure" => AuditOutcome.Failure,
        _ => AuditOutcome.Denied,
    };

    private static (string Where, DynamicParameters Parameters) Filter(AuditQuery query)
    {
        var where = new StringBuilder("true");
        var parameters = new DynamicParameters();
        if (query.TenantId is { } tenantId)
        {
            where.Append(" AND tenant_id = @tenantId");
            parameters.Add("tenantId", tenantId);
        }
        if (!string.IsNullOrEmpty(query.Action))
        {
            where.Append(" AND action = @action");
            parameters.Add("action", query.Action);
        }
        if (query.ActorId is { } actorId)
        {
            where.Append(" AND actor_id = @actorId");
            parameters.Add("actorId", actorId);
        }
        if (query.Outcome is { } outcome)
        {
            where.Append(" AND outcome = @outcome");
            parameters.Add("outcome", ToDb(outcome));
        }
        if (!string.IsNullOrEmpty(query.TargetType))
        {
            where.Append(" AND target_type = @targetType");
            parameters.Add("targetType", query.TargetType);
        }
        if (query.From is { } from)
        {
            where.Append(" AND created_at >= @from");
            parameters.Add("from", RefreshTokenStore.AsUtc(from));
        }
        if (query.To is { } to)
        {
            where.Append(" AND created_at < @to");
            parameters.Add("to", RefreshTokenStore.AsUtc(to));
        }
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            where.Append(" AND (target_name ILIKE @search OR actor_email ILIKE @search OR target_id ILIKE @search OR action ILIKE @search)");
            parameters.Add("search", "%" + UserStore.EscapeLike(query.Search.Trim()) + "%");
        }
        if (query.BeforeId is { } beforeId)
        {
            where.Append(" AND id < @beforeId");
            parameters.Add("beforeId", beforeId);
        }
        return (where.ToString(), parameters);
    }

    private sealed class AuditRow
    {
        public long Id { get; init; }
        public DateTime CreatedAt { get; init; }
        public Guid? TenantId { get; init; }
        public Guid? ActorId { get; init; }
        public string? ActorEmail { get; init; }
        public string Action { get; init; } = "";
        public string Outcome { get; init; } = "";
        public string? TargetType { get; init; }
        public string? TargetId { get; init; }
        public string? TargetName { get; init; }
        public string DetailsJson { get; init; } = "{}";
        public IPAddress? ClientIp { get; init; }
        public string? UserAgent { get; init; }

        public AuditRecord ToRecord() => new(
            Id, CreatedAt, TenantId, ActorId, ActorEmail, Action, ParseOutcome(Outcome), TargetType, TargetId, TargetName,
            DetailsJson, ClientIp, UserAgent);
    }
}
