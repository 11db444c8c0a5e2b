using Nexus.Data.Access;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;

namespace Nexus.Host.Identity;

/// <summary>Reads the caller's profile with their tenant memberships, as the caller (row-level security applies).</summary>
internal sealed class Profiles(INexusDatabase database, UserStore users, MembershipStore memberships)
{
    public Task<MeResponse?> GetAsync(Guid userId, CancellationToken ct) =>
        database.AsUserAsync(userId, async session =>
        {
            var user = await users.FindByIdAsync(session, userId);
            if (user is null)
            {
                return null;
            }
            var tenants = await memberships.ListForUserAsync(session, userId);
            return new MeResponse(user.Id, user.Email, user.FullName, user.Username, user.Company, user.GlobalRole, user.CreatedAt,
                tenants.Select(t => new TenantMembershipDto(t.TenantId, t.TenantName, t.TenantSlug, t.Role)).ToList());
        }, ct);
}
