namespace Nexus.Host.Identity;

/// <summary>
/// The refresh token travels only in this cookie: HttpOnly (no script reads it), Secure, SameSite=Strict (no
/// cross-site request carries it, which is what makes a cookie-authenticated refresh safe from CSRF), and
/// scoped to the auth endpoints. Browsers accept Secure cookies from http://localhost.
/// </summary>
internal static class RefreshCookie
{
    public const string Name = "nexus_refresh";
    public const string Path = "/api/auth";

    public static void Set(HttpResponse response, string token, DateTimeOffset expires) =>
        response.Cookies.Append(Name, token, Options(expires));

    public static void Clear(HttpResponse response) =>
        response.Cookies.Delete(Name, Options(DateTimeOffset.UnixEpoch));

    public static string? Read(HttpRequest request) =>
        request.Cookies.TryGetValue(Name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static CookieOptions Options(DateTimeOffset expires) => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Strict,
        Path = Path,
        Expires = expires,
        IsEssential = true,
    };
}
