using Microsoft.AspNetCore.Http.Features;

namespace Nexus.Host.Health;

/// <summary>
/// What a draining silo does with each request until Kestrel stops accepting. A new WebSocket (live hub, console)
/// would be cut off again a moment later, so it gets no answer at all: the connection is dropped before anything
/// runs, no console token is spent and no hub connection is made. A proxy sees a connection error, passes the
/// handshake to another silo and counts this one as failed (nginx: <c>proxy_next_upstream error</c>). Not a 503:
/// the host also answers 503 when a grain was moving between silos (<see cref="SiloChangeExceptionHandler"/>), and
/// that must not make the proxy eject a healthy silo. Other requests are still served; over HTTP/1.1 they carry
/// <c>Connection: close</c>, so the proxy drops its pooled connections to this silo now. Otherwise it would find them
/// closed under a request once the listener goes.
/// </summary>
internal sealed class DrainGate(RequestDelegate next, DrainState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!state.IsDraining)
        {
            await next(context);
            return;
        }
        var http1 = HttpProtocol.IsHttp10(context.Request.Protocol) || HttpProtocol.IsHttp11(context.Request.Protocol);
        if (http1)
        {
            context.Response.Headers.Connection = "close";
        }
        if (IsWebSocket(context))
        {
            context.Abort();
            return;
        }
        if (http1)
        {
            // Set again as the response starts: an endpoint that replaces the headers must not keep the connection open.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.Connection = "close";
                return Task.CompletedTask;
            });
        }
        await next(context);
    }

    // HTTP/1.1 Upgrade, or HTTP/2 extended CONNECT (RFC 8441), before any WebSocket middleware has looked at it.
    private static bool IsWebSocket(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;

    /// <summary>Puts the gate in front of the whole pipeline (before forwarded headers, static files and routing).</summary>
    internal sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<DrainGate>();
            next(app);
        };
    }
}
