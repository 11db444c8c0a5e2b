namespace Nexus.Simulator.Clusters;

/// <summary>A guest as a test or the demo sees it from outside the API (live state, not the lagging snapshot).</summary>
public sealed record GuestInfo(
    int Vmid,
    string Type,
    string Name,
    string Node,
    GuestRunState State,
    string? Lock,
    string? Tags,
    string? Pool,
    bool Template,
    int Cpus,
    long MaxMem);
