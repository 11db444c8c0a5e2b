using Nexus.Data;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Secrets;
using Nexus.Data.Servers;
using Nexus.Data.Tenants;
using Nexus.Host.Audit;
using Nexus.Host.Web;

namespace Nexus.Host.Servers;

/// <summary>The outcome of adding one server: the server, or why not (quota full, duplicate endpoint).</summary>
internal sealed record AddServerOutcome(ServerRecord? Server, string? Refusal, bool QuotaFull)
{
    public static AddServerOutcome Added(ServerRecord server) => new(server, null, false);

    public static AddServerOutcome Refused(string why, bool quotaFull = false) => new(null, why, quotaFull);
}

/// <summary>
/// Adds a validated server to a tenant in the caller's unit of work: the quota (tenant setting
/// <c>server_quota</c>, default 50) under a lock, the duplicate check, the sealed token, the audit row.
/// </summary>
internal sealed class ServerRegistration(ServerStore servers, TenantSettingsStore settings, CredentialProtector protector, AuditLog audit)
{
    public static string Duplicate(string host, int port) =>
        $"This tenant already has a server at {host}:{port}; edit that one instead.";

    public async Task<AddServerOutcome> AddAsync(
        DbSession session, Guid tenantId, Guid callerId, ServerInputResult input, string auditAction, object? auditDetails, ClientInfo client)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(input);
        var quota = (await settings.GetAsync(session, tenantId))?.Values.ServerQuota ?? 50;
        var used = await servers.CountForQuotaAsync(session, tenantId);
        if (used >= quota)
        {
            return AddServerOutcome.Refused($"The tenant's server quota is full ({used} of {quota} server slots used).", quotaFull: true);
        }
        var draft = input.Draft;
        if (await servers.ExistsAsync(session, tenantId, draft.Host, draft.Port))
        {
            return AddServerOutcome.Refused(Duplicate(draft.Host, draft.Port));
        }
        var id = Guid.CreateVersion7();
        var server = await servers.InsertAsync(session, id, tenantId, draft, protector.Protect(input.ApiToken!, id));
        await audit.WriteAsync(session, AuditEntries.Create(tenantId, callerId, auditAction, ServerAudit.Target,
            server.Id.ToString(), server.Name, AuditOutcome.Success,
            auditDetails ?? new { server.Host, server.Port, server.TokenId, trust = ServerTrustModes.Name(server.TrustMode) }, client));
        return AddServerOutcome.Added(server);
    }
}
