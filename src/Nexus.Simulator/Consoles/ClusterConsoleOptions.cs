using System.Net;
using System.Security.Cryptography;

namespace Nexus.Simulator.Consoles;

/// <summary>Console behaviour of one simulated cluster. The defaults behave like a current Proxmox VE.</summary>
public sealed class ClusterConsoleOptions
{
    /// <summary>
    /// Before qemu-server 9.1.7 the ticket was a bare <c>PVEVNC:&lt;hex time&gt;::&lt;sig&gt;</c>, not bound to
    /// the port, no <c>password</c> was returned and QEMU's VNC password was the ticket's first 8 characters.
    /// Since 9.1.7: <c>&lt;8-char password&gt;:PVEVNC:…</c>, port-bound, VNC password = that password.
    /// </summary>
    public bool LegacyTicketStyle { get; init; }

    /// <summary>The cluster's key for signing VNC tickets (Proxmox signs with the cluster's RSA auth key).</summary>
    public byte[] TicketSecret { get; init; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The clock for ticket ages and every console timeout; tests move it.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The vncproxy worker accepts exactly one connection within this time (Proxmox: 10 s).</summary>
    public TimeSpan AcceptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The proxy exits after this long without traffic in either direction (Proxmox: 15 min).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>QEMU's VNC password expires this long after the reservation (<c>expire_password +30</c>).</summary>
    public TimeSpan PasswordLifetime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>--vnc-backend host:port</c>: WebSocket sessions forward raw bytes to this RFB server instead of the
    /// built-in framebuffer. <c>null</c> uses the built-in server.
    /// </summary>
    public string? ExternalVncBackend { get; init; }

    internal DnsEndPoint? ExternalVncEndPoint => ExternalVncBackend is null ? null : ParseHostPort(ExternalVncBackend);

    /// <summary>Throws <see cref="ArgumentException"/> when the options cannot work.</summary>
    public void Validate()
    {
        if (TicketSecret is null || TicketSecret.Length < 16)
            throw new ArgumentException("TicketSecret must hold at least 16 bytes.", nameof(TicketSecret));
        ArgumentNullException.ThrowIfNull(Clock);
        if (AcceptTimeout <= TimeSpan.Zero || IdleTimeout <= TimeSpan.Zero || PasswordLifetime <= TimeSpan.Zero)
            throw new ArgumentException("Console timeouts must be positive.");
        if (ExternalVncBackend is not null)
            _ = ParseHostPort(ExternalVncBackend);
    }

    private static DnsEndPoint ParseHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        var host = colon > 0 ? value[..colon].Trim('[', ']') : "";
        if (host.Length == 0 || !int.TryParse(value.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"'{value}' is not host:port.", nameof(ExternalVncBackend));
        return new DnsEndPoint(host, port);
    }
}
