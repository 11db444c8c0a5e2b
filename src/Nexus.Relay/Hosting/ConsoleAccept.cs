using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Nexus.Relay.Closing;

namespace Nexus.Relay.Hosting;

/// <summary>How the endpoint accepts the browser socket the pump will run on.</summary>
public static class ConsoleAccept
{
    /// <summary>
    /// The accept context for <c>HttpContext.WebSockets.AcceptWebSocketAsync</c>: the subprotocol to echo (one the
    /// browser offered, never the token itself), real ping/pong keep-alive, and no permessage-deflate (RFB payloads
    /// are already compressed, and compression of attacker-influenced data invites CRIME/BREACH).
    /// </summary>
    public static WebSocketAcceptContext CreateAcceptContext(this ConsoleRelayOptions options, string? subProtocol)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WebSocketAcceptContext
        {
            SubProtocol = subProtocol,
            KeepAliveInterval = options.BrowserKeepAliveInterval,
            KeepAliveTimeout = options.BrowserKeepAliveTimeout,
            DangerousEnableCompression = false,
        };
    }

    /// <summary>
    /// Closes an accepted socket that will not get a pump (token invalid 4001, forbidden 4003, limit reached 4029), so
    /// the application sees why: a refusal before the upgrade shows only as 1006 in a browser. Aborts after
    /// <paramref name="grace"/> (default 2 s) when the browser does not answer.
    /// </summary>
    public static async Task RejectAsync(this WebSocket socket, ConsoleClose close, TimeSpan? grace = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        using var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseAsync((WebSocketCloseStatus)(int)close.Code, close.Reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            socket.Abort();
        }
    }
}
