namespace Nexus.Proxmox.Api.Models;

/// <summary>
/// <c>POST …/vncproxy</c> with <c>websocket=1</c>. The ticket lives about 40 s and its port accepts one connection
/// within 10 s, so open the <c>vncwebsocket</c> at once, with the same token and against the same endpoint.
/// </summary>
public sealed record VncProxyTicket
{
    /// <summary>The principal that asked (a token id for token calls).</summary>
    public string User { get; init; } = string.Empty;

    public string Ticket { get; init; } = string.Empty;

    /// <summary>Since qemu-server 9.1.7 always present; older versions may omit it.</summary>
    public string? Password { get; init; }

    /// <summary>The cluster CA PEM (for raw TLS VNC clients; not needed for the WebSocket).</summary>
    public string? Cert { get; init; }

    /// <summary>Often a JSON string on the wire (<c>"5900"</c>); 5900–5999.</summary>
    public int Port { get; init; }

    public string Upid { get; init; } = string.Empty;

    /// <summary>
    /// What to answer the RFB VNC-authentication challenge with: the password, or the ticket on older versions
    /// (only the first 8 bytes count; since 9.1.7 the ticket starts with the password, so either works).
    /// </summary>
    public string VncPassword => string.IsNullOrEmpty(Password) ? Ticket : Password;

    public override string ToString() => $"VncProxyTicket {{ User = {User}, Port = {Port}, Upid = {Upid} }}";
}
