using Dapper;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Tenants;

namespace Nexus.Host.Vms;

/// <summary>
/// The tenants whose VMs <c>GET /api/vms</c> looks at for a caller: every tenant for a global admin; otherwise the
/// tenants they belong to and those where they hold a VM grant. Access to each is then decided per tenant.
/// To move into <c>Nexus.Data</c> (VmGrantStore) when it grows a "tenants of a user's grants" query.
/// </summary>
internal sealed class VmTenantQueries(INexusDatabase database, TenantStore tenants, MembershipStore memberships)
{
    public Task<IReadOnlyList<Guid>> ListAsync(Guid userId, GlobalRole role, CancellationToken ct) =>
        database.AsUserAsync<IReadOnlyList<Guid>>(userId, async session =>
        {
            if (role == GlobalRole.Admin)
            {
                return (await tenants.ListAsync(session, includeInactive: true)).Select(t => t.Id).ToList();
            }
            var member = (await memberships.ListForUserAsync(session, userId)).Select(m => m.TenantId);
            // Row-level security shows a user their own grants.
            var granted = await session.Connection.QueryAsync<Guid>(
                "SELECT DISTINCT tenant_id FROM nexus.vm_grants WHERE user_id = @userId", new { userId }, session.Transaction);
            return member.Concat(granted).Distinct().ToList();
        }, ct);
}
