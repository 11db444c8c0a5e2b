using System.Net.WebSockets;

namespace Nexus.Relay.Upstream;

/// <summary>
/// A connected Proxmox <c>vncwebsocket</c> (raw RFB from QEMU inside) and the VNC password that answers its
/// challenge. The pump owns and disposes it. The password never leaves the relay: the browser gets security type None.
/// </summary>
public sealed class UpstreamConsole(WebSocket socket, string vncPassword) : IDisposable
{
    public WebSocket Socket { get; } = socket ?? throw new ArgumentNullException(nameof(socket));

    internal string VncPassword { get; } = vncPassword ?? throw new ArgumentNullException(nameof(vncPassword));

    public void Dispose() => Socket.Dispose();

    public override string ToString() => $"UpstreamConsole {{ State = {Socket.State}, VncPassword = *** }}";
}

/// <summary>
/// Opens the Proxmox side of a console when the pump asks for it (after the browser socket is accepted and the session
/// claimed: a vncproxy ticket lives about 40 s and its port accepts one connection within 10 s, so never pre-fetch).
/// Exceptions of <c>Nexus.Proxmox</c> become close 4502 with a short reason.
/// </summary>
public delegate Task<UpstreamConsole> UpstreamOpener(CancellationToken cancellationToken);
