using Microsoft.Extensions.Options;
using Nexus.Grains.Consoles;

namespace Nexus.Host.Consoles;

/// <summary>
/// Cross-site WebSocket hijacking guard: a browser sends the page's Origin with every WebSocket handshake and a page
/// cannot forge it, so a socket is accepted only from the host's own origin (same scheme-less authority as the Host
/// header the browser connected to) or from <see cref="ConsoleOptions.AllowedOrigins"/>. Checked before the upgrade
/// (403), as ASP.NET Core's own <c>WebSocketOptions.AllowedOrigins</c> does, but with the same-origin rule it lacks.
/// (Behind a proxy that rewrites Host, list the public origin in <see cref="ConsoleOptions.AllowedOrigins"/>.)
/// </summary>
internal sealed class ConsoleOrigins(IOptions<ConsoleOptions> options, IHostEnvironment environment)
{
    private readonly HashSet<string> _allowed = options.Value.AllowedOrigins
        .Select(o => new Uri(o).GetLeftPart(UriPartial.Authority))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool Allows(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return options.Value.AllowMissingOrigin;
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }
        // Same origin: the page came from the host the browser is talking to. The scheme is not compared: behind a
        // TLS-terminating proxy the request arrives as http while the page's origin is https.
        if (string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return _allowed.Contains(uri.GetLeftPart(UriPartial.Authority)) || (environment.IsDevelopment() && uri.IsLoopback);
    }
}
