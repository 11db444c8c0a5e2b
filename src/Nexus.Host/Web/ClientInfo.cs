using System.Net;

namespace Nexus.Host.Web;

/// <summary>Who is calling, as far as the audit log records it.</summary>
internal sealed record ClientInfo(IPAddress? IpAddress, string? UserAgent)
{
    private const int MaxUserAgent = 256;

    /// <summary>
    /// The connection's remote address, as rewritten from forwarded headers sent by a trusted proxy only
    /// (<see cref="NetworkOptions"/>), so a client cannot forge its logged address.
    /// </summary>
    public static ClientInfo From(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }
        var agent = context.Request.Headers.UserAgent.ToString();
        return new ClientInfo(
            address,
            agent.Length == 0 ? null : agent.Length > MaxUserAgent ? agent[..MaxUserAgent] : agent);
    }
}
