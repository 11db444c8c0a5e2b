using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;

namespace Nexus.Host.Live;

/// <summary>
/// Reads a user's access to a tenant from the database, as the request pipeline's <c>CallerLoader</c> does for
/// the user: a disabled or deleted account, an inactive tenant (for non-admins) or a lost membership or grant
/// is refused at once. Used on every join, for the snapshot, and after every access change event.
/// </summary>
internal sealed class LiveAccessLoader(INexusDatabase database, UserStore users, TenantStore tenants, MembershipStore memberships, VmGrantStore grants)
{
    public async Task<LiveAudience?> LoadAsync(Guid userId, Guid tenantId, CancellationToken ct)
    {
        // The user's own rows, read under their row-level security scope.
        var access = await database.AsUserAsync<(TenantAccess Rights, int TokenGeneration)?>(userId, async session =>
        {
            var user = await users.FindByIdAsync(session, userId);
            if (user is null || user.Disabled)
            {
                return null;
            }
            var role = await memberships.GetRoleAsync(session, tenantId, userId);
            var granted = await grants.ListForUserAsync(session, userId, tenantId);
            return (Rights: new TenantAccess(userId, user.GlobalRole, tenantId, role,
                granted.Select(g => new VmGrantEntry(g.Vm, g.Permissions)).ToArray()), user.TokenGeneration);
        }, ct);
        if (access is not { } found)
        {
            return null;
        }
        var (rights, tokenGeneration) = found;
        // A grant-only user may not read the tenant row under row-level security, so the tenant's existence and
        // activity are checked by the background role; nothing of it reaches the caller but the yes or no.
        var tenant = await database.AsSystemAsync(session => tenants.FindAsync(session, tenantId), ct);
        if (tenant is null || (!tenant.IsActive && rights.GlobalRole != GlobalRole.Admin))
        {
            return null;
        }
        return LiveAudience.For(rights) is { } audience ? audience with { TokenGeneration = tokenGeneration } : null;
    }
}
