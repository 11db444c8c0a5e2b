using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Data.Access;
using Nexus.Data.Servers;
using Nexus.Grains.Authorization;
using Nexus.Host.Tenants;
using Nexus.Host.Web;

namespace Nexus.Host.Servers;

/// <summary>
/// The first step of every <c>/api/servers/{serverId}</c> endpoint: the server as the caller's row-level security
/// shows it, then the permission policy for its tenant. A server the caller may not see is 404 like an unknown one.
/// </summary>
internal sealed class ServerAccess(ServerStore servers, TenantGate gate)
{
    public async Task<(ServerWithCredential? Server, ProblemHttpResult? Denied)> CheckAsync(
        DbSession session, CurrentUser caller, Guid serverId, TenantAction action)
    {
        var stored = await servers.FindWithCredentialAsync(session, serverId);
        if (stored is null)
        {
            return (null, Problems.NotFound("The server"));
        }
        var (_, denied) = await gate.CheckAsync(session, caller, stored.Server.TenantId, action);
        if (denied is not null)
        {
            return (null, denied.StatusCode == StatusCodes.Status404NotFound ? Problems.NotFound("The server") : denied);
        }
        return (stored, null);
    }
}
