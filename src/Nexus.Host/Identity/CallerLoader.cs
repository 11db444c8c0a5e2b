using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Nexus.Data.Access;
using Nexus.Data.Identity;
using Nexus.Host.Web;

namespace Nexus.Host.Identity;

/// <summary>
/// After a token's signature and lifetime check out, reads its user from the database (through
/// <see cref="CallerCache"/>, at most two seconds old): a deleted or disabled account is refused at once rather
/// than when the token expires, and the role used is today's. So is a token issued before the account's token
/// generation was raised (password changed, signed out everywhere).
/// </summary>
internal static class CallerLoader
{
    private static readonly object RefusalKey = new();

    public static async Task OnTokenValidatedAsync(TokenValidatedContext context)
    {
        var subject = context.Principal?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        if (!Guid.TryParse(subject, out var userId))
        {
            Refuse(context, "The token names no user.");
            return;
        }
        var caller = await LoadAsync(context.HttpContext.RequestServices, userId);
        if (caller is null)
        {
            Refuse(context, "The account no longer exists or is disabled.");
            return;
        }
        if (AccessTokens.GenerationOf(context.Principal) < caller.TokenGeneration)
        {
            Refuse(context, "This session was ended (password changed or signed out everywhere). Sign in again.");
            return;
        }
        caller.AttachTo(context.HttpContext);
    }

    /// <summary>Puts the reason a valid token was refused into the 401's <c>WWW-Authenticate</c> header (RFC 6750).</summary>
    public static Task OnChallengeAsync(JwtBearerChallengeContext context)
    {
        if (context.HttpContext.Items[RefusalKey] is string reason)
        {
            context.Error = "invalid_token";
            context.ErrorDescription = reason;
        }
        return Task.CompletedTask;
    }

    /// <summary>... and into the 401's problem details. Only our own reasons: the token library's may name keys.</summary>
    public static void DescribeRefusal(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status == StatusCodes.Status401Unauthorized && context.HttpContext.Items[RefusalKey] is string reason)
        {
            context.ProblemDetails.Detail = reason;
        }
    }

    private static void Refuse(TokenValidatedContext context, string reason)
    {
        context.HttpContext.Items[RefusalKey] = reason;
        context.Fail(reason);
    }

    /// <summary>The enabled account behind a token or a session, through this silo's <see cref="CallerCache"/>; null
    /// when it no longer exists or is disabled.</summary>
    public static Task<CurrentUser?> LoadAsync(IServiceProvider services, Guid userId) =>
        // Not the request's abort token: concurrent requests of the user share the read, and one client hanging
        // up must not fail the others'.
        services.GetRequiredService<CallerCache>().GetAsync(userId, () => ReadAsync(services, userId, CancellationToken.None));

    private static async Task<CurrentUser?> ReadAsync(IServiceProvider services, Guid userId, CancellationToken ct)
    {
        var database = services.GetRequiredService<INexusDatabase>();
        var users = services.GetRequiredService<UserStore>();
        var user = await database.AsUserAsync(userId, session => users.FindByIdAsync(session, userId), ct);
        return user is null || user.Disabled ? null : new CurrentUser(user.Id, user.Email, user.GlobalRole, user.TokenGeneration);
    }
}
