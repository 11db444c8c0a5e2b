using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Tenants;
using Nexus.Grains.Authorization;
using Nexus.Host.Web;

namespace Nexus.Host.Tenants;

/// <summary>A tenant the caller passed the gate for, with the caller's role in it (null for a non-member global admin).</summary>
internal sealed record TenantScope(TenantRecord Tenant, TenantRole? Role);

/// <summary>
/// The first step of every <c>/api/tenants/{id}/…</c> endpoint: the tenant as the caller sees it, and the
/// permission policy's decision for the action. A tenant that does not exist, that the caller is not a member
/// of, or that is inactive (for non-admins) is 404, the same answer in every case.
/// </summary>
internal sealed class TenantGate(TenantStore tenants, MembershipStore memberships)
{
    public async Task<(TenantScope? Scope, ProblemHttpResult? Denied)> CheckAsync(DbSession session, CurrentUser caller, Guid tenantId, TenantAction action)
    {
        var tenant = await tenants.FindAsync(session, tenantId);
        if (tenant is null || (!tenant.IsActive && !caller.IsGlobalAdmin))
        {
            return (null, Problems.NotFound("The tenant"));
        }
        var role = await memberships.GetRoleAsync(session, tenantId, caller.Id);
        if (Problems.For(PermissionPolicy.Decide(caller.Role, role, action), "The tenant") is { } denied)
        {
            return (null, denied);
        }
        return (new TenantScope(tenant, role), null);
    }
}
