using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;
using Nexus.Grains.Authorization;
using Nexus.Host.Audit;
using Nexus.Host.Live;
using Nexus.Host.Web;

namespace Nexus.Host.Tenants;

internal sealed record MemberDto(Guid UserId, string Email, string? FullName, string? Username, TenantRole Role, bool Disabled, DateTimeOffset AddedAt)
{
    public static MemberDto From(TenantMember member) => new(
        member.UserId, member.Email, member.FullName, member.Username, member.Role, member.Disabled, new DateTimeOffset(member.CreatedAt, TimeSpan.Zero));
}

internal sealed record SetMemberRequest(TenantRole? Role);

internal sealed record MemberCandidateDto(Guid Id, string Email, string? FullName, string? Username);

/// <summary>
/// <c>/api/tenants/{id}/members</c>: the tenant's admins (and global admins) list, add, re-role and remove
/// members. A tenant admin cannot remove or demote the tenant's last admin, which would leave it unmanaged.
/// </summary>
internal static class MembersEndpoints
{
    public const int MinSearch = 2;
    private const int MaxCandidates = 10;

    public static IEndpointRouteBuilder MapMembersEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/tenants/{id:guid}").WithTags("Members").RequireAuthorization();
        group.MapGet("/members", ListAsync);
        group.MapPut("/members/{userId:guid}", SetAsync);
        group.MapDelete("/members/{userId:guid}", RemoveAsync);
        group.MapGet("/member-candidates", SearchAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<List<MemberDto>>, ProblemHttpResult>> ListAsync(
        Guid id, CurrentUser caller, INexusDatabase database, TenantGate gate, MembershipStore memberships, CancellationToken ct) =>
        await database.AsUserAsync<Results<Ok<List<MemberDto>>, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageMembers);
            if (denied is not null)
            {
                return denied;
            }
            var members = await memberships.ListMembersAsync(session, id);
            return TypedResults.Ok(members.Select(MemberDto.From).ToList());
        }, ct);

    /// <summary>Adds the user with the role, or changes the role of an existing member. 201 when added, 200 when changed.</summary>
    private static async Task<Results<Created<MemberDto>, Ok<MemberDto>, ValidationProblem, ProblemHttpResult>> SetAsync(
        Guid id, Guid userId, SetMemberRequest request, CurrentUser caller, HttpContext context, INexusDatabase database,
        TenantGate gate, MembershipStore memberships, AuditLog audit, CancellationToken ct) =>
        await database.AsUserAsync<Results<Created<MemberDto>, Ok<MemberDto>, ValidationProblem, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (scope, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageMembers);
            if (denied is not null)
            {
                return denied;
            }
            if (request.Role is not { } role)
            {
                return new FieldErrors().Add("role", "Required: admin, manager or viewer.").ToResult();
            }
            var current = await memberships.GetRoleAsync(session, id, userId);
            if (current is null)
            {
                // The foreign key answers for an unknown user id (→ 404, as for one the caller may not see).
                await memberships.AddAsync(session, id, userId, role);
            }
            else if (current != role)
            {
                if (current == TenantRole.Admin && !caller.IsGlobalAdmin && await memberships.CountAdminsAsync(session, id) <= 1)
                {
                    return Problems.Conflict("The tenant's last admin cannot be demoted.");
                }
                await memberships.ChangeRoleAsync(session, id, userId, role);
            }
            var member = (await memberships.ListMembersAsync(session, id)).Single(m => m.UserId == userId);
            if (current != role)
            {
                LiveNotices.AccessChanged(context, id, userId);
                await audit.WriteAsync(session, AuditEntries.Create(id, caller.Id,
                    current is null ? AuditActions.MemberAdded : AuditActions.MemberRoleChanged, AuditTargets.User,
                    userId.ToString(), member.Email, AuditOutcome.Success, new { from = current, to = role, tenant = scope!.Tenant.Slug }, ClientInfo.From(context)));
            }
            return current is null
                ? TypedResults.Created($"/api/tenants/{id}/members/{userId}", MemberDto.From(member))
                : TypedResults.Ok(MemberDto.From(member));
        }, ct);

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        Guid id, Guid userId, CurrentUser caller, HttpContext context, INexusDatabase database, TenantGate gate,
        MembershipStore memberships, AuditLog audit, CancellationToken ct) =>
        await database.AsUserAsync<Results<NoContent, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageMembers);
            if (denied is not null)
            {
                return denied;
            }
            var member = (await memberships.ListMembersAsync(session, id)).FirstOrDefault(m => m.UserId == userId);
            if (member is null)
            {
                return Problems.NotFound("The member");
            }
            if (member.Role == TenantRole.Admin && !caller.IsGlobalAdmin && await memberships.CountAdminsAsync(session, id) <= 1)
            {
                return Problems.Conflict("The tenant's last admin cannot be removed.");
            }
            await memberships.RemoveAsync(session, id, userId);
            LiveNotices.AccessChanged(context, id, userId);
            await audit.WriteAsync(session, AuditEntries.Create(id, caller.Id, AuditActions.MemberRemoved, AuditTargets.User,
                userId.ToString(), member.Email, AuditOutcome.Success, new { role = member.Role }, ClientInfo.From(context)));
            return TypedResults.NoContent();
        }, ct);

    /// <summary>Accounts to add: at least two characters, matched as a parameter, members excluded, ten at most.</summary>
    private static async Task<Results<Ok<List<MemberCandidateDto>>, ValidationProblem, ProblemHttpResult>> SearchAsync(
        Guid id, CurrentUser caller, INexusDatabase database, TenantGate gate, MembershipStore memberships, UserStore users,
        CancellationToken ct, string? q = null) =>
        await database.AsUserAsync<Results<Ok<List<MemberCandidateDto>>, ValidationProblem, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageMembers);
            if (denied is not null)
            {
                return denied;
            }
            var query = q?.Trim() ?? "";
            if (query.Length < MinSearch || query.Length > 200)
            {
                return new FieldErrors().Add("q", $"Between {MinSearch} and 200 characters.").ToResult();
            }
            var found = await MemberCandidateQueries.SearchAsync(session, users, memberships, id, query, MaxCandidates);
            return TypedResults.Ok(found);
        }, ct);
}
