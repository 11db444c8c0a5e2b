using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Timeouts;

namespace Nexus.Proxmox.Connections;

/// <summary>Console set-up: the vncproxy ticket and the upstream vncwebsocket.</summary>
public sealed partial class ProxmoxConnection
{
    /// <summary>
    /// <c>POST …/vncproxy</c> with <c>websocket=1</c> (without it, qemu-server ≥ 9.1.7 listens with TLS on all
    /// interfaces and the vncwebsocket cannot attach). One attempt: each call starts a worker on the node.
    /// The response's <see cref="ProxmoxResponse{T}.Endpoint"/> is where the websocket must go.
    /// </summary>
    public Task<ProxmoxResponse<VncProxyTicket>> CreateVncProxyAsync(
        string node, GuestType type, int vmId, CancellationToken cancellationToken = default) =>
        SendAsync<VncProxyTicket>(
            ProxmoxRequest.Post($"{GuestPath(node, type, vmId)}/vncproxy", RequestClass.Console, new KeyValuePair<string, string>("websocket", "1")),
            cancellationToken);

    /// <summary>
    /// Opens <c>wss://…/vncwebsocket?port=&amp;vncticket=</c> on <paramref name="endpoint"/> (the one that served
    /// vncproxy: the VNC listener runs on that pveproxy host) with the same token and the same TLS trust, and the
    /// subprotocol <c>binary</c>. After the upgrade the socket carries raw RFB bytes; the caller owns the socket.
    /// </summary>
    public async Task<WebSocket> OpenVncWebSocketAsync(
        ProxmoxEndpoint endpoint, string node, GuestType type, int vmId, VncProxyTicket ticket,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var channel = ChannelFor(endpoint);
        var path =
            $"/api2/json/{GuestPath(node, type, vmId)}/vncwebsocket" +
            $"?port={ticket.Port.ToString(CultureInfo.InvariantCulture)}&vncticket={Uri.EscapeDataString(ticket.Ticket)}";
        var estimator = channel.Estimator(RequestClass.Console);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The upgrade always opens a fresh TCP + TLS connection, which the learned value (mostly pooled requests)
        // does not cover: allow the connect bound on top.
        var limit = estimator.Timeout + _options.ConnectTimeout;
        timeout.CancelAfter(limit);
        var started = Stopwatch.GetTimestamp();
        try
        {
            // Subprotocol "binary", sent exactly: pveproxy echoes the header verbatim, and a list would break strict
            // clients. Real PING frames every 20 s (a keep-alive timeout makes .NET send pings, not unsolicited pongs,
            // which pveproxy's frame handler does not know): pveproxy answers pings and has no idle timer of its own
            // once upgraded, so these keep middleboxes from dropping a quiet console and detect a dead upstream
            // (console-relay.md P7, §4.3).
            var socket = await VncWebSocketUpgrade.OpenAsync(channel, path, "binary", TimeSpan.FromSeconds(20), timeout.Token)
                .ConfigureAwait(false);
            estimator.Record(Stopwatch.GetElapsedTime(started));
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            estimator.RecordTimeout();
            throw new ProxmoxUnreachableException(endpoint, UnreachableReason.Timeout,
                $"{endpoint}: vncwebsocket upgrade took longer than {limit.TotalMilliseconds:0} ms.", null);
        }
    }
}
