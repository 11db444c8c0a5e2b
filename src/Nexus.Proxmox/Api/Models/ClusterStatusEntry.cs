namespace Nexus.Proxmox.Api.Models;

/// <summary>An item of <c>GET /cluster/status</c>: one <c>cluster</c> entry (absent on a standalone node) and one per node.</summary>
public sealed record ClusterStatusEntry
{
    /// <summary><c>cluster</c> or <c>node</c>.</summary>
    public string Type { get; init; } = string.Empty;

    public string Id { get; init; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    /// <summary>Cluster entry: the number of nodes.</summary>
    public int? Nodes { get; init; }

    /// <summary>Cluster entry: the config version.</summary>
    public int? Version { get; init; }

    public bool? Quorate { get; init; }

    public int? NodeId { get; init; }

    public string? Ip { get; init; }

    /// <summary>Node entry: true for the node that answered (PDM maps addresses to nodes with it).</summary>
    public bool? Local { get; init; }

    public bool? Online { get; init; }

    public string? Level { get; init; }
}
