using System.Net;
using System.Net.Sockets;

namespace Nexus.Proxmox.Configuration;

/// <summary>One way to reach a Proxmox VE cluster: a pveproxy host and port (8006 by default).</summary>
public sealed record ProxmoxEndpoint
{
    public ProxmoxEndpoint(string host, int port = 8006)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        // Accept "[::1]" as well as "::1".
        Host = host.Trim().TrimStart('[').TrimEnd(']');
        Port = port;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>The host as it goes into a URI (IPv6 literals in brackets).</summary>
    internal string UriHost =>
        IPAddress.TryParse(Host, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]" : Host;

    /// <summary><c>https://host:port/api2/json/</c>.</summary>
    public Uri ApiBaseUri => new($"https://{UriHost}:{Port}/api2/json/");

    public override string ToString() => $"{UriHost}:{Port}";
}
