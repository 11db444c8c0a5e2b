using System.Net;
using Microsoft.AspNetCore.Http;

namespace Nexus.Simulator.Consoles;

/// <summary>The guest a console is opened for, as the API layer knows it.</summary>
public sealed record ConsoleGuest(string Node, string Type, int Vmid, string Name);

/// <summary>
/// What <c>POST …/vncproxy</c> hands back (before JSON shaping by the API layer; Proxmox writes
/// <c>port</c> as a string). <paramref name="Password"/> is the VNC password; in the legacy (pre-9.1.7)
/// ticket style that is the ticket's first 8 characters and the reply carries no <c>password</c> field.
/// </summary>
public sealed record VncProxyGrant(int Port, string Ticket, string Password);

/// <summary>
/// One event that reached a simulated guest through its console. <paramref name="Kind"/> is <c>key</c>
/// (Detail <c>down 0x0061 'a'</c>, <c>up 0xff0d</c>, QEMU extended keys add <c> scancode=0x1e</c>),
/// <c>pointer</c> (<c>x=10 y=20 buttons=0x01</c>) or <c>cut-text</c> (the text; extended-clipboard
/// messages without text as <c>extended 0x…</c>).
/// </summary>
public sealed record ConsoleInputEvent(DateTimeOffset At, string Kind, string Detail);

/// <summary>Raised when a console request must fail the way Proxmox fails it (message = Proxmox's text).</summary>
public sealed class ConsoleException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// The seam between the simulator's HTTP API (auth, routing, tasks) and its console back-ends
/// (port/ticket broker, vncwebsocket framing, RFB server). One instance per simulated cluster, made by
/// <see cref="ClusterConsoles.Create"/> (which is <see cref="IAsyncDisposable"/>: stops raw listeners, ends sessions).
/// </summary>
public interface IClusterConsoles
{
    /// <summary>
    /// <c>POST /nodes/{node}/{qemu|lxc}/{vmid}/vncproxy</c> (websocket=1), already authenticated and
    /// authorized (VM.Console) by the API layer. Reserves a port 5900–5999 on the node (at most 100 at once),
    /// mints a ticket bound to principal + <c>/vms/{vmid}</c> + port, valid −20…+40 s, in the style the
    /// cluster's version switch selects. The port accepts exactly one connection within 10 s.
    /// <paramref name="onFinished"/> is called exactly once when the proxy worker ends:
    /// <c>null</c> for OK, otherwise the task's error text (for example <c>connection timed out</c>).
    /// Throws <see cref="ConsoleException"/> when no port is free.
    /// </summary>
    VncProxyGrant Reserve(ConsoleGuest guest, string principal, Action<string?> onFinished);

    /// <summary>
    /// <c>GET …/vncwebsocket?port=&amp;vncticket=</c>, already authenticated (the same principal must have
    /// called vncproxy) and authorized by the API layer. Validates port and ticket, then the upgrade headers,
    /// in pveproxy's order; a failure throws <see cref="ConsoleException"/> before anything is written
    /// (e.g. 500 <c>permission denied - invalid PVEVNC ticket</c>), for the API layer to answer as a normal
    /// Proxmox error instead of 101. Without an <c>Upgrade</c> header it answers <c>200 {"data":{"port":"…"}}</c>.
    /// When nothing listens on the port any more it drops the connection (no response); otherwise it
    /// upgrades (HTTP/1.1 only) and runs the session until either side ends.
    /// </summary>
    Task HandleWebSocketAsync(HttpContext context, ConsoleGuest guest, string principal, int port, string vncTicket);

    /// <summary>
    /// A raw TCP RFB listener on 127.0.0.1 for the guest (no WebSocket, no ticket, RFB security type None),
    /// created on first call, serving the same built-in display; for relay benchmarks.
    /// </summary>
    IPEndPoint RawEndpoint(ConsoleGuest guest);

    /// <summary>Key, pointer and cut-text events that reached the guest, oldest first.</summary>
    IReadOnlyList<ConsoleInputEvent> InputLog(ConsoleGuest guest);
}
