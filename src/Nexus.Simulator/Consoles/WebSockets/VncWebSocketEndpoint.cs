using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Nexus.Simulator.Consoles.Ports;
using Nexus.Simulator.Consoles.Tickets;

namespace Nexus.Simulator.Consoles.WebSockets;

/// <summary>
/// pveproxy's handling of <c>GET …/vncwebsocket</c>, in its order: the handler verifies the ticket, then the
/// upgrade headers are checked, then it connects to <c>localhost:&lt;port&gt;</c> and only then answers 101.
/// </summary>
internal sealed partial class VncWebSocketEndpoint(
    VncTicketAuthority tickets, VncPortBroker ports, Func<VncReservation, Stream, CancellationToken, Task> runSession, ILogger logger)
{
    private const int MaxTicketLength = 512;
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public async Task HandleAsync(HttpContext context, ConsoleGuest guest, string principal, int port, string vncTicket)
    {
        // The API layer validates parameters (port 5900–5999, vncticket ≤ 512); this only guards the seam.
        if (port is < VncPortBroker.FirstPort or > VncPortBroker.LastPort || vncTicket.Length > MaxTicketLength)
            throw new ConsoleException(400, "Parameter verification failed.");

        if (!tickets.Verify(vncTicket, principal, guest.Vmid, port))
        {
            LogInvalidTicket(logger, guest.Node, guest.Vmid, port, principal);
            throw new ConsoleException(500, "permission denied - invalid PVEVNC ticket");
        }

        var request = context.Request;
        var upgrade = request.Headers.Upgrade.ToString().ToLowerInvariant();
        if (upgrade.Length == 0)
        {
            // Without upgrade headers the handler's own result is the answer.
            await WritePortAsync(context, port).ConfigureAwait(false);
            return;
        }

        var version = request.Headers.SecWebSocketVersion.ToString();
        var key = request.Headers.SecWebSocketKey.ToString();
        var failure = upgrade != "websocket" ? $"unable to upgrade to protocol '{upgrade}'"
            : version != "13" ? $"unsupported websocket-version '{version}'"
            : key.Length == 0 ? "missing websocket-key"
            : null;
        var upgradeFeature = context.Features.Get<IHttpUpgradeFeature>();
        if (failure is null && upgradeFeature is not { IsUpgradableRequest: true })
            failure = "unable to upgrade this connection (HTTP/1.1 with 'Connection: upgrade' needed)";
        if (failure is not null)
            throw new ConsoleException(500, failure);

        var reservation = ports.Find(guest.Node, port);
        if (reservation is null || !reservation.TryAccept())
        {
            // pveproxy's tcp_connect to the closed port fails after the handler succeeded: no 101, no answer.
            LogNothingListening(logger, guest.Node, port);
            context.Abort();
            return;
        }

        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = accept;
        var protocol = request.Headers.SecWebSocketProtocol.ToString();
        if (protocol.Length > 0)
            context.Response.Headers.SecWebSocketProtocol = protocol; // echoed verbatim, even a list

        try
        {
            var transport = await upgradeFeature!.UpgradeAsync().ConfigureAwait(false);
            await runSession(reservation, transport, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            LogSessionEnded(logger, guest.Node, port, e.Message);
        }
        finally
        {
            // The worker ends OK once its one connection is gone, however it went.
            reservation.Finish(null);
        }
    }

    private static async Task WritePortAsync(HttpContext context, int port)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("data");
            writer.WriteString("port", port.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json;charset=UTF-8";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "vncwebsocket on {Node} port {Port} for VM {Vmid}: invalid ticket for {Principal}")]
    private static partial void LogInvalidTicket(ILogger logger, string node, int vmid, int port, string principal);

    [LoggerMessage(Level = LogLevel.Information, Message = "vncwebsocket on {Node}: nothing listens on port {Port}, dropping the connection")]
    private static partial void LogNothingListening(ILogger logger, string node, int port);

    [LoggerMessage(Level = LogLevel.Debug, Message = "vncwebsocket on {Node} port {Port} ended: {Reason}")]
    private static partial void LogSessionEnded(ILogger logger, string node, int port, string reason);
}
