using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;

namespace Nexus.Relay.Upstream;

/// <summary><see cref="UpstreamOpener"/>s built on <see cref="ProxmoxConnection"/> (pinned TLS, the server's API token).</summary>
public static class ProxmoxUpstream
{
    /// <summary><c>vncproxy</c> then <c>vncwebsocket</c> on the endpoint that answered it, when the pump asks.</summary>
    public static UpstreamOpener Open(ProxmoxConnection connection, string node, GuestType type, int vmId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        return async cancellationToken =>
        {
            var proxy = await connection.CreateVncProxyAsync(node, type, vmId, cancellationToken).ConfigureAwait(false);
            var socket = await connection.OpenVncWebSocketAsync(proxy.Endpoint, node, type, vmId, proxy.Value, cancellationToken).ConfigureAwait(false);
            return new UpstreamConsole(socket, proxy.Value.VncPassword);
        };
    }

    /// <summary>
    /// Only the <c>vncwebsocket</c>, for a ticket obtained elsewhere (the server grain called <c>vncproxy</c>) moments
    /// ago; <paramref name="endpoint"/> must be the one that served <c>vncproxy</c> (the VNC port is local to it).
    /// </summary>
    public static UpstreamOpener Attach(
        ProxmoxConnection connection, ProxmoxEndpoint endpoint, string node, GuestType type, int vmId, VncProxyTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(ticket);
        return async cancellationToken =>
        {
            var socket = await connection.OpenVncWebSocketAsync(endpoint, node, type, vmId, ticket, cancellationToken).ConfigureAwait(false);
            return new UpstreamConsole(socket, ticket.VncPassword);
        };
    }
}
