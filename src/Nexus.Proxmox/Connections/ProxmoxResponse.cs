using Nexus.Proxmox.Configuration;

namespace Nexus.Proxmox.Connections;

/// <summary>A typed answer and where it came from: which endpoint served it, how long the final attempt took, how many attempts.</summary>
public sealed record ProxmoxResponse<T>(T Value, ProxmoxEndpoint Endpoint, TimeSpan Latency, int Attempts);
