namespace Nexus.Contracts.Tenants;

/// <summary>Used / total with a rounded percentage (the prototype's F33 shape).</summary>
[GenerateSerializer, Immutable, Alias("nexus.tenants.Usage")]
public sealed record Usage(
    [property: Id(0)] double Used,
    [property: Id(1)] double Total,
    [property: Id(2)] int Percentage);

/// <summary>A tenant's live aggregate over its servers' last snapshots.</summary>
[GenerateSerializer, Immutable, Alias("nexus.tenants.TenantStats")]
public sealed record TenantStats(
    [property: Id(0)] int TotalVms,
    [property: Id(1)] int RunningVms,
    [property: Id(2)] int StoppedVms,
    [property: Id(3)] int TotalContainers,
    [property: Id(4)] int RunningContainers,
    [property: Id(5)] int StoppedContainers,
    [property: Id(6)] int NodesTotal,
    [property: Id(7)] int NodesOnline,
    [property: Id(8)] Usage Cpu,
    [property: Id(9)] Usage Memory,
    [property: Id(10)] Usage Storage,
    [property: Id(11)] int ServersTotal,
    [property: Id(12)] int ServersOnline,
    [property: Id(13)] DateTimeOffset LastUpdated);
