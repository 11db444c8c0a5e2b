using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;
using Nexus.Grains.Authorization;
using Nexus.Host.Audit;
using Nexus.Host.Identity;
using Nexus.Host.Live;
using Nexus.Host.Web;

namespace Nexus.Host.Users;

internal sealed record UserDto(
    Guid Id, string Email, string? FullName, string? Username, string? Company, GlobalRole GlobalRole,
    bool Disabled, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt)
{
    public static UserDto From(UserRecord user) => new(
        user.Id, user.Email, user.FullName, user.Username, user.Company, user.GlobalRole, user.Disabled,
        user.LockedUntil is { } locked ? new DateTimeOffset(locked, TimeSpan.Zero) : null,
        new DateTimeOffset(user.CreatedAt, TimeSpan.Zero));
}

internal sealed record UserPage(IReadOnlyList<UserDto> Items, int Total, int Page, int PageSize);

internal sealed record CreateUserRequest(string? Email, string? Password, string? FullName, string? Username, string? Company, GlobalRole? GlobalRole);

internal sealed record UpdateUserRequest(string? FullName, string? Username, string? Company, bool? Disabled);

internal sealed record SetRoleRequest(GlobalRole? Role);

/// <summary>
/// <c>/api/users</c>: account administration, global admins only. Nobody demotes, disables or deletes
/// themselves, and the last active admin stays (the database enforces the same rule under concurrency).
/// </summary>
internal static class UsersEndpoints
{
    private const int PageSize = 10;

    public static IEndpointRouteBuilder MapUsersEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/users").WithTags("Users").RequireAuthorization();
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapPatch("/{id:guid}", UpdateAsync);
        group.MapPut("/{id:guid}/role", SetRoleAsync);
        group.MapDelete("/{id:guid}", DeleteAsync);
        return endpoints;
    }

    private static ProblemHttpResult? RequireAdmin(CurrentUser caller) =>
        Problems.For(PermissionPolicy.Decide(caller.Role, GlobalAction.ManageUsers), "The resource");

    private static async Task<Results<Ok<UserPage>, ValidationProblem, ProblemHttpResult>> ListAsync(
        CurrentUser caller, INexusDatabase database, UserStore users, CancellationToken ct, string? search = null, int page = 1)
    {
        if (RequireAdmin(caller) is { } denied)
        {
            return denied;
        }
        var errors = new FieldErrors();
        errors.Check(page >= 1, "page", "Pages start at 1.");
        errors.MaxLength(search, 200, "search");
        if (errors.Any)
        {
            return errors.ToResult();
        }
        var result = await database.AsUserAsync(caller.Id, async session =>
        {
            var items = await users.ListAsync(session, search, (page - 1) * PageSize, PageSize);
            var total = await users.CountAsync(session, search);
            return new UserPage(items.Select(UserDto.From).ToList(), total, page, PageSize);
        }, ct);
        return TypedResults.Ok(result);
    }

    private static async Task<Results<Created<UserDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateUserRequest request, CurrentUser caller, HttpContext context, INexusDatabase database, UserStore users, AuditLog audit, CancellationToken ct)
    {
        if (RequireAdmin(caller) is { } denied)
        {
            return denied;
        }
        var errors = new FieldErrors();
        ProfileFields.ValidateEmail(request.Email, errors);
        if (PasswordRules.Check(request.Password) is { } problem)
        {
            errors.Add("password", problem);
        }
        ProfileFields.Validate(new ProfilePatch(request.FullName, request.Username, request.Company), errors);
        if (errors.Any)
        {
            return errors.ToResult();
        }
        var created = await database.AsUserAsync(caller.Id, async session =>
        {
            var user = await users.CreateAsync(session, new NewUser(
                request.Email!.Trim(),
                PasswordRules.Hash(request.Password!),
                ProfileFields.Apply(request.FullName, null),
                ProfileFields.Apply(request.Username, null),
                ProfileFields.Apply(request.Company, null),
                request.GlobalRole ?? GlobalRole.User));
            await audit.WriteAsync(session, AuditEntries.Create(null, caller.Id, AuditActions.UserCreated, AuditTargets.User,
                user.Id.ToString(), user.Email, AuditOutcome.Success, new { globalRole = user.GlobalRole }, ClientInfo.From(context)));
            return user;
        }, ct);
        return TypedResults.Created($"/api/users/{created.Id}", UserDto.From(created));
    }

    private static async Task<Results<Ok<UserDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateUserRequest request, CurrentUser caller, HttpContext context, INexusDatabase database, UserStore users, TenantStore tenants,
        AuditLog audit, SignIn signIn, CancellationToken ct)
    {
        if (RequireAdmin(caller) is { } denied)
        {
            return denied;
        }
        var errors = new FieldErrors();
        ProfileFields.Validate(new ProfilePatch(request.FullName, request.Username, request.Company), errors);
        if (errors.Any)
        {
            return errors.ToResult();
        }
        if (request.Disabled == true && id == caller.Id)
        {
            return Problems.Conflict("You cannot disable your own account.");
        }
        IReadOnlyList<Guid> watched = [];
        var disabledNow = false;
        var updated = await database.AsUserAsync(caller.Id, async session =>
        {
            var user = await users.FindByIdAsync(session, id);
            if (user is null)
            {
                return null;
            }
            await users.UpdateProfileAsync(session, id, new UserProfileUpdate(
                user.Email,
                ProfileFields.Apply(request.FullName, user.FullName),
                ProfileFields.Apply(request.Username, user.Username),
                ProfileFields.Apply(request.Company, user.Company)));
            if (request.Disabled is { } disabled && disabled != user.Disabled)
            {
                await users.SetDisabledAsync(session, id, disabled);
                if (disabled)
                {
                    disabledNow = true;
                    // Where their open live views are, to end them now rather than when their access token expires.
                    watched = await tenants.ListIdsReachableByAsync(session, id, everyTenant: user.GlobalRole == GlobalRole.Admin);
                }
            }
            await audit.WriteAsync(session, AuditEntries.Create(null, caller.Id, AuditActions.UserUpdated, AuditTargets.User,
                id.ToString(), user.Email, AuditOutcome.Success, new { changes = request }, ClientInfo.From(context)));
            return await users.FindByIdAsync(session, id);
        }, ct);
        if (updated is null)
        {
            return Problems.NotFound("The user");
        }
        // The account may have been disabled or enabled: the next request on this silo reads it again.
        CallerCache.Invalidate(context, id);
        if (disabledNow)
        {
            // Registered first: the live views end even if revoking the refresh tokens fails below.
            LiveNotices.AccessChanged(context, watched, id);
            await signIn.EndAllSessionsAsync(id, ct);
        }
        return TypedResults.Ok(UserDto.From(updated));
    }

    private static async Task<Results<Ok<UserDto>, ValidationProblem, ProblemHttpResult>> SetRoleAsync(
        Guid id, SetRoleRequest request, CurrentUser caller, HttpContext context, INexusDatabase database, UserStore users, TenantStore tenants,
        AuditLog audit, CancellationToken ct)
    {
        if (RequireAdmin(caller) is { } denied)
        {
            return denied;
        }
        if (request.Role is not { } role)
        {
            return new FieldErrors().Add("role", "Required: admin or user.").ToResult();
        }
        if (id == caller.Id && role != GlobalRole.Admin)
        {
            return Problems.Conflict("You cannot demote yourself.");
        }
        var changed = false;
        IReadOnlyList<Guid> watched = [];
        var updated = await database.AsUserAsync(caller.Id, async session =>
        {
            var user = await users.FindByIdAsync(session, id);
            if (user is null)
            {
                return null;
            }
            if (user.GlobalRole != role)
            {
                changed = true;
                await users.SetGlobalRoleAsync(session, id, role);
                // Either side of the change is a global admin, who may watch any tenant.
                watched = await tenants.ListIdsReachableByAsync(session, id, everyTenant: true);
                await audit.WriteAsync(session, AuditEntries.Create(null, caller.Id, AuditActions.UserRoleChanged, AuditTargets.User,
                    id.ToString(), user.Email, AuditOutcome.Success, new { from = user.GlobalRole, to = role }, ClientInfo.From(context)));
            }
            return await users.FindByIdAsync(session, id);
        }, ct);
        if (updated is null)
        {
            return Problems.NotFound("The user");
        }
        if (changed)
        {
            CallerCache.Invalidate(context, id);
            LiveNotices.AccessChanged(context, watched, id);
        }
        return TypedResults.Ok(UserDto.From(updated));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, CurrentUser caller, HttpContext context, INexusDatabase database, UserStore users, TenantStore tenants, AuditLog audit, CancellationToken ct)
    {
        if (RequireAdmin(caller) is { } denied)
        {
            return denied;
        }
        if (id == caller.Id)
        {
            return Problems.Conflict("You cannot delete your own account.");
        }
        IReadOnlyList<Guid> watched = [];
        var deleted = await database.AsUserAsync(caller.Id, async session =>
        {
            var user = await users.FindByIdAsync(session, id);
            if (user is null)
            {
                return false;
            }
            // Read before the delete removes the memberships that say where they watch.
            watched = await tenants.ListIdsReachableByAsync(session, id, everyTenant: user.GlobalRole == GlobalRole.Admin);
            // Written before the delete: the row then keeps the actor and target by id, address and name.
            await audit.WriteAsync(session, AuditEntries.Create(null, caller.Id, AuditActions.UserDeleted, AuditTargets.User,
                id.ToString(), user.Email, AuditOutcome.Success, null, ClientInfo.From(context)));
            return await users.DeleteAsync(session, id);
        }, ct);
        if (!deleted)
        {
            return Problems.NotFound("The user");
        }
        CallerCache.Invalidate(context, id);
        LiveNotices.AccessChanged(context, watched, id);
        return TypedResults.NoContent();
    }
}
