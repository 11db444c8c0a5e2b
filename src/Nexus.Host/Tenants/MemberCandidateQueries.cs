using Nexus.Data.Access;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;

namespace Nexus.Host.Tenants;

/// <summary>
/// The "add member" search. What it can find is what row-level security lets the caller see: a global admin
/// searches every account by address, name or username; a tenant admin searches the members of tenants they
/// administer and otherwise finds an account only by its exact address (they may not browse the directory).
/// </summary>
internal static class MemberCandidateQueries
{
    public static async Task<List<MemberCandidateDto>> SearchAsync(DbSession session, UserStore users, MembershipStore memberships, Guid tenantId, string query, int limit)
    {
        var members = (await memberships.ListMembersAsync(session, tenantId)).Select(m => m.UserId).ToHashSet();
        var found = new List<MemberCandidateDto>();
        if (query.Contains('@', StringComparison.Ordinal) && await users.FindForMembershipAsync(session, query) is { } exact)
        {
            found.Add(new MemberCandidateDto(exact.Id, exact.Email, exact.FullName, exact.Username));
        }
        var visible = await users.ListAsync(session, query, 0, limit + members.Count + 1);
        found.AddRange(visible.Select(u => new MemberCandidateDto(u.Id, u.Email, u.FullName, u.Username)));
        return found
            .Where(c => !members.Contains(c.Id))
            .DistinctBy(c => c.Id)
            .Take(limit)
            .ToList();
    }

}
