using Nexus.Contracts.Servers;

namespace Nexus.Contracts.Consoles;

/// <summary>
/// What a server's grain got from <c>POST …/vncproxy</c> for one console, handed to the silo that pumps it. The VNC
/// port listens on the pveproxy host that answered (console-relay.md P5), so the pump must open
/// <c>vncwebsocket</c> on exactly <see cref="Host"/>:<see cref="Port"/> with the same token. The ticket accepts one
/// connection within 10 s: use at once, never store. <see cref="ToString"/> hides the ticket and the password.
/// </summary>
/// <param name="Role">Which of the server's endpoints served it.</param>
/// <param name="VncPort">The VNC listener, 5900–5999.</param>
/// <param name="ConfigStamp">Which configuration the grain used (<c>ServerConfigStamp</c>): a pump silo whose cached
/// connection has another stamp reloads it first.</param>
/// <param name="Error">Why Proxmox gave no ticket; null on success.</param>
/// <param name="StatusCode">Proxmox's HTTP status for <paramref name="Error"/>, when it answered.</param>
[GenerateSerializer, Immutable, Alias("nexus.consoles.VncProxyGrant")]
public sealed record VncProxyGrant(
    [property: Id(0)] EndpointRole Role,
    [property: Id(1)] string Host,
    [property: Id(2)] int Port,
    [property: Id(3)] int VncPort,
    [property: Id(4)] string Ticket,
    [property: Id(5)] string? Password,
    [property: Id(6)] string Upid,
    [property: Id(7)] string User,
    [property: Id(8)] string ConfigStamp,
    [property: Id(9)] string? Error = null,
    [property: Id(10)] int? StatusCode = null)
{
    public bool Succeeded => Error is null;

    public static VncProxyGrant Failed(string error, int? statusCode) =>
        new(EndpointRole.Primary, string.Empty, 0, 0, string.Empty, null, string.Empty, string.Empty, string.Empty, error, statusCode);

    public override string ToString() => Succeeded
        ? $"VncProxyGrant {{ Role = {Role}, Endpoint = {Host}:{Port}, VncPort = {VncPort}, Upid = {Upid} }}"
        : $"VncProxyGrant {{ Error = {Error}, StatusCode = {StatusCode} }}";
}
