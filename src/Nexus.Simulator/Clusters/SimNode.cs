namespace Nexus.Simulator.Clusters;

/// <summary>A simulated cluster node (hypervisor host).</summary>
internal sealed class SimNode
{
    public required string Name { get; init; }
    public required int NodeId { get; init; }
    public required string Ip { get; init; }
    public required int MaxCpu { get; init; }
    public required long MaxMem { get; init; }
    public required long MaxDisk { get; init; }
    public required DateTimeOffset BootedAt { get; init; }

    /// <summary>Process start ticks of the node's pvedaemon; UPIDs carry a value near it.</summary>
    public required long PStart { get; init; }

    public volatile bool Online = true;
}

/// <summary>A storage definition; enabled on every node (one resource row per node).</summary>
internal sealed record SimStorage(string Name, string PluginType, string Content, bool Shared, long MaxDisk, double UsedShare);
