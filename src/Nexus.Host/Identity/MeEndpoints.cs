using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;
using Nexus.Host.Audit;
using Nexus.Host.Consoles;
using Nexus.Host.Live;
using Nexus.Host.Observability;
using Nexus.Host.Web;

namespace Nexus.Host.Identity;

internal sealed record TenantMembershipDto(Guid TenantId, string Name, string Slug, TenantRole Role);

internal sealed record MeResponse(
    Guid Id, string Email, string? FullName, string? Username, string? Company, GlobalRole GlobalRole,
    DateTimeOffset CreatedAt, IReadOnlyList<TenantMembershipDto> Tenants);

internal sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary><c>/api/me</c>: the caller's own profile, memberships and password.</summary>
internal static class MeEndpoints
{
    public static IEndpointRouteBuilder MapMeEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/me").WithTags("Me").RequireAuthorization();
        group.MapGet("", GetAsync);
        group.MapPatch("", PatchAsync);
        group.MapPost("/password", ChangePasswordAsync);
        group.MapPost("/sign-out-everywhere", SignOutEverywhereAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetAsync(CurrentUser caller, Profiles profiles, CancellationToken ct) =>
        await profiles.GetAsync(caller.Id, ct) is { } me ? TypedResults.Ok(me) : Problems.NotFound("The account");

    private static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> PatchAsync(
        ProfilePatch patch, CurrentUser caller, HttpContext context, INexusDatabase database, UserStore users, AuditLog audit, Profiles profiles, CancellationToken ct)
    {
        var errors = new FieldErrors();
        ProfileFields.Validate(patch, errors);
        if (errors.Any)
        {
            return errors.ToResult();
        }
        await database.AsUserAsync(caller.Id, async session =>
        {
            var user = await users.FindByIdAsync(session, caller.Id) ?? throw new InvalidOperationException("The caller's row vanished.");
            var profile = new UserProfileUpdate(
                user.Email,
                ProfileFields.Apply(patch.FullName, user.FullName),
                ProfileFields.Apply(patch.Username, user.Username),
                ProfileFields.Apply(patch.Company, user.Company));
            await users.UpdateProfileAsync(session, caller.Id, profile);
            await audit.WriteAsync(session, AuditEntries.Create(null, caller.Id, AuditActions.ProfileUpdated, AuditTargets.User,
                caller.Id.ToString(), user.Email, AuditOutcome.Success, new { changes = patch }, ClientInfo.From(context)));
            return true;
        }, ct);
        return await profiles.GetAsync(caller.Id, ct) is { } me ? TypedResults.Ok(me) : Problems.NotFound("The account");
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, CurrentUser caller, HttpContext context, SignIn signIn, LoginThrottle throttle, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Check(!string.IsNullOrEmpty(request.CurrentPassword), "currentPassword", "The current password is required.");
        if (PasswordRules.Check(request.NewPassword) is { } problem)
        {
            errors.Add("newPassword", problem);
        }
        if (errors.Any)
        {
            return errors.ToResult();
        }
        // Guessing the current password with a stolen access token costs the same budget as guessing at sign-in.
        if (throttle.TryAccount(caller.Email.ToLowerInvariant(), context) is { } rejected)
        {
            return rejected;
        }
        if (await signIn.ChangePasswordAsync(caller.Id, request.CurrentPassword!, request.NewPassword!, ClientInfo.From(context), ct) is not { } renewed)
        {
            return new FieldErrors().Add("currentPassword", "The current password is wrong.").ToResult();
        }
        // This browser gets the new session's refresh cookie; its tabs take a new access token from it.
        await EndOpenViewsAsync(caller, context, ct);
        RefreshCookie.Set(context.Response, renewed.RefreshToken, renewed.RefreshExpiresAt);
        return TypedResults.NoContent();
    }

    /// <summary>Ends every session of the caller on every device: refresh tokens, access tokens, open live views and consoles.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> SignOutEverywhereAsync(
        CurrentUser caller, HttpContext context, SignIn signIn, CancellationToken ct)
    {
        if (!await signIn.SignOutEverywhereAsync(caller.Id, ClientInfo.From(context), ct))
        {
            return Problems.NotFound("The account");
        }
        await EndOpenViewsAsync(caller, context, ct);
        RefreshCookie.Clear(context.Response);
        DashboardSessions.Close(context.Response);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// After the caller's sessions were ended (committed): the next request on any silo finds the raised token
    /// generation; every silo watching one of the caller's tenants re-checks their live connections; their consoles
    /// close. The last two are best effort: the old tokens are refused already, and a database or silo failure here
    /// must not turn a change that happened into an error (and, for a password change, lose the new cookie).
    /// </summary>
    private static async Task EndOpenViewsAsync(CurrentUser caller, HttpContext context, CancellationToken ct)
    {
        CallerCache.Invalidate(context, caller.Id);
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MeEndpoints));
        try
        {
            var tenants = services.GetRequiredService<TenantStore>();
            var watched = await services.GetRequiredService<INexusDatabase>().AsUserAsync(
                caller.Id, session => tenants.ListIdsReachableByAsync(session, caller.Id, caller.IsGlobalAdmin), ct);
            LiveNotices.AccessChanged(context, watched, caller.Id);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "User {UserId}: sessions ended, but their open live views could not be told", caller.Id);
        }
        try
        {
            await ConsoleEndpoints.KillAllOfCallerAsync(caller, context, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "User {UserId}: sessions ended, but not every open console could be closed", caller.Id);
        }
    }
}
