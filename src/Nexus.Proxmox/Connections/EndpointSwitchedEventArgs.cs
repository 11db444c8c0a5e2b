using Nexus.Proxmox.Configuration;

namespace Nexus.Proxmox.Connections;

/// <summary>Traffic of a server moved from one endpoint to another.</summary>
public sealed class EndpointSwitchedEventArgs(
    string serverName, ProxmoxEndpoint from, ProxmoxEndpoint to, bool toSecondary, string reason, DateTimeOffset at) : EventArgs
{
    public string ServerName { get; } = serverName;

    public ProxmoxEndpoint From { get; } = from;

    public ProxmoxEndpoint To { get; } = to;

    /// <summary>True for a failover to the secondary, false for the fail-back to the primary.</summary>
    public bool ToSecondary { get; } = toSecondary;

    public string Reason { get; } = reason;

    public DateTimeOffset At { get; } = at;
}
