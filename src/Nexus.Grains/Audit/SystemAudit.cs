using Microsoft.Extensions.Logging;
using Nexus.Data.Access;
using Nexus.Data.Audit;

namespace Nexus.Grains.Audit;

/// <summary>
/// Audit rows written by background work (polling alerts, the end of a power action's task) through the worker
/// role: there is no request transaction to join, and the row may name a user who is not the session's caller.
/// A failed write is logged, never thrown: it must not stop polling or leave a task untracked.
/// </summary>
public sealed class SystemAudit(INexusDatabase database, AuditLog audit, ILogger<SystemAudit> logger)
{
    public async Task<bool> WriteAsync(AuditEntry entry, CancellationToken ct = default)
    {
        try
        {
            await database.AsSystemAsync(async session =>
            {
                await audit.WriteAsync(session, entry);
                return true;
            }, ct);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not write audit row {Action} for tenant {TenantId}", entry.Action, entry.TenantId);
            return false;
        }
    }
}
