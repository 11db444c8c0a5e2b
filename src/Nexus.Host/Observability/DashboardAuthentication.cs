using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using System.Data.Common;
using Nexus.Host.Identity;
using Nexus.Host.Web;

namespace Nexus.Host.Observability;

/// <summary>
/// Authenticates dashboard requests from the <see cref="DashboardSessions"/> cookie only (a bearer header is not
/// looked at), and re-reads the user on every request: a session of a user who has since been disabled, deleted
/// or demoted stops working at once, not when the cookie expires. 401 without a valid session, 403 for a valid
/// session of someone who is no longer a global admin; both as ProblemDetails.
/// </summary>
internal sealed class DashboardAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    DashboardSessions sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "NexusDashboardSession";
    public const string Policy = "OrleansDashboard";
    public const string GlobalAdminClaim = "nexus:global_admin";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (await sessions.ReadAsync(Request) is not { } userId)
        {
            return Request.Cookies.ContainsKey(DashboardSessions.CookieName)
                ? AuthenticateResult.Fail("The dashboard session is invalid or has expired.")
                : AuthenticateResult.NoResult();
        }
        CurrentUser? user;
        try
        {
            // As the API reads its callers (the dashboard polls every second; demotion and disabling invalidate it).
            user = await CallerLoader.LoadAsync(Context.RequestServices, userId);
        }
        catch (DbException ex)
        {
            Logger.LogWarning(ex, "The dashboard session's user could not be checked; refusing the request");
            return AuthenticateResult.Fail("The account could not be checked (the database is unavailable).");
        }
        if (user is null)
        {
            return AuthenticateResult.Fail("The account no longer exists or is disabled.");
        }
        var claims = new List<Claim> { new("sub", user.Id.ToString()) };
        if (user.IsGlobalAdmin)
        {
            claims.Add(new Claim(GlobalAdminClaim, "true"));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "Open the Orleans Dashboard from Nexus: a global admin's POST /api/admin/dashboard-session starts a session.")
            .ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "The Orleans Dashboard is for global admins.")
            .ExecuteAsync(Context);
}
