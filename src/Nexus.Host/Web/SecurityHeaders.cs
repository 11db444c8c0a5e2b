namespace Nexus.Host.Web;

/// <summary>
/// The browser-side defences of every response (the web client's index.html and assets, and the API's): a
/// Content-Security-Policy that lets the page load and run only its own files, no MIME sniffing, and no referrer.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// The built client needs nothing else: Vite emits no inline script, styles are set through the CSSOM (which CSP
    /// does not govern), the tenant logo is fetched with the bearer token and shown as a <c>blob:</c> URL, and noVNC
    /// draws on a canvas and sets its cursor from a <c>data:</c> image. <c>'self'</c> in connect-src covers the hub's
    /// and the console's same-origin <c>ws:</c>/<c>wss:</c> sockets (CSP Level 3). frame-ancestors stops clickjacking
    /// (the console takes keystrokes); base-uri and object-src close the classic script-injection side doors.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; " +
        "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The Orleans Dashboard (global admins only) is a third-party page with inline style attributes; its scripts
    /// stay restricted to our own origin.
    /// </summary>
    public const string DashboardContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
        "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseNexusSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // On starting, not now: the exception handler clears the headers of a response it rewrites.
            context.Response.OnStarting(static state =>
            {
                var context = (HttpContext)state;
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(Observability.ObservabilityOptions.DashboardPath)
                    ? DashboardContentSecurityPolicy
                    : ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
}
