using Microsoft.IdentityModel.JsonWebTokens;
using Nexus.Host.Identity;

namespace Nexus.Host.Observability;

/// <summary>
/// The Orleans Dashboard's session: a browser opens the dashboard by navigating, so it cannot send the SPA's
/// bearer token. A global admin exchanges that token for this short-lived cookie instead: a JWT signed with the
/// cluster's access-token key (any silo behind the load balancer accepts it) but for another audience, so it is
/// never accepted by the API and an API token is never accepted here. HttpOnly (no script reads it), Secure (as
/// the refresh cookie: browsers accept it from http://localhost), SameSite=Strict (no cross-site navigation or
/// request carries it) and scoped to the dashboard's path, so no other request carries it.
/// </summary>
internal sealed class DashboardSessions(AuthOptions auth, ObservabilityOptions options, AccessTokens tokens)
{
    public const string CookieName = "nexus_dashboard";

    private readonly JsonWebTokenHandler _handler = new();

    private string Audience => auth.Audience + ":orleans-dashboard";

    public TimeSpan Lifetime => options.DashboardSessionLifetime;

    public DateTimeOffset Open(HttpResponse response, Guid userId)
    {
        var (token, expires) = tokens.Issue(userId, Audience, Lifetime);
        var attributes = Attributes();
        attributes.Expires = expires;
        attributes.IsEssential = true;
        response.Cookies.Append(CookieName, token, attributes);
        return expires;
    }

    /// <summary>
    /// Tells the browser to drop its dashboard cookie (signing out): the cookie is a signed token, valid until it
    /// expires, so the browser forgetting it is what ends the session on a shared computer.
    /// </summary>
    public static void Close(HttpResponse response) => response.Cookies.Delete(CookieName, Attributes());

    // The browser matches a deletion to the cookie by name and path: both must match what Open set.
    private static CookieOptions Attributes() => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Strict,
        Path = ObservabilityOptions.DashboardPath,
    };

    /// <summary>The user the request's cookie was issued to, or null when it is absent, forged, expired or not a dashboard session.</summary>
    public async Task<Guid?> ReadAsync(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var token) || string.IsNullOrEmpty(token))
        {
            return null;
        }
        var parameters = tokens.ValidationParameters();
        parameters.ValidAudience = Audience;
        var result = await _handler.ValidateTokenAsync(token, parameters);
        return result.IsValid
            && result.Claims.TryGetValue(JwtRegisteredClaimNames.Sub, out var subject)
            && Guid.TryParse(subject as string, out var userId)
                ? userId
                : null;
    }
}
