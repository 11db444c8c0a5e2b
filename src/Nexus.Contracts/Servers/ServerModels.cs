namespace Nexus.Contracts.Servers;

/// <summary>A server's health as its grain judges it with the tenant's thresholds.</summary>
public enum ServerHealth
{
    Unknown = 0,
    Online = 1,
    Degraded = 2,
    Offline = 3,
    Disabled = 4,
}

/// <summary>Which of a server's two paths carries its traffic.</summary>
public enum EndpointRole
{
    Primary = 0,
    Secondary = 1,
}

/// <summary>The live state of one Proxmox server (cluster), as its grain knows it.</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.ServerStatus")]
public sealed record ServerStatus(
    [property: Id(0)] Guid ServerId,
    [property: Id(1)] Guid TenantId,
    [property: Id(2)] ServerHealth Health,
    [property: Id(3)] EndpointRole ActiveEndpoint,
    [property: Id(4)] DateTimeOffset? LastPollAt,
    [property: Id(5)] DateTimeOffset? LastSuccessAt,
    [property: Id(6)] string? LastError,
    [property: Id(7)] double SuccessRatePercent,
    [property: Id(8)] double? AverageLatencyMs,
    [property: Id(9)] string? ProxmoxVersion,
    [property: Id(10)] int NodeCount,
    [property: Id(11)] int GuestCount,
    [property: Id(12)] string Name);

/// <summary>One learned timeout: server endpoint × request class, as the API shows it.</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.LearnedTimeout")]
public sealed record LearnedTimeout(
    [property: Id(0)] EndpointRole Endpoint,
    [property: Id(1)] string RequestClass,
    [property: Id(2)] double TimeoutMs,
    [property: Id(3)] double? SmoothedLatencyMs,
    [property: Id(4)] double? LatencyVarianceMs,
    [property: Id(5)] long Samples,
    [property: Id(6)] DateTimeOffset? LastUpdate);

/// <summary>A guest (QEMU VM or LXC container) as the last <c>/cluster/resources</c> poll saw it.</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.GuestState")]
public sealed record GuestState(
    [property: Id(0)] Guid ServerId,
    [property: Id(1)] string Type,
    [property: Id(2)] int VmId,
    [property: Id(3)] string Name,
    [property: Id(4)] string Node,
    [property: Id(5)] string Status,
    [property: Id(6)] double Cpu,
    [property: Id(7)] double MaxCpu,
    [property: Id(8)] long Memory,
    [property: Id(9)] long MaxMemory,
    [property: Id(10)] long Disk,
    [property: Id(11)] long MaxDisk,
    [property: Id(12)] long Uptime,
    [property: Id(13)] bool Template,
    [property: Id(14)] string? Tags,
    [property: Id(15)] string? Pool,
    [property: Id(16)] string? Lock,
    [property: Id(17)] long NetIn,
    [property: Id(18)] long NetOut,
    [property: Id(19)] long DiskRead,
    [property: Id(20)] long DiskWrite);

/// <summary>A node of a server's cluster as the last poll saw it (for tenant stats).</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.NodeState")]
public sealed record NodeState(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Online,
    [property: Id(2)] double Cpu,
    [property: Id(3)] double MaxCpu,
    [property: Id(4)] long Memory,
    [property: Id(5)] long MaxMemory);

/// <summary>A storage of a server's cluster as the last poll saw it (shared storage once, not once per node).</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.StorageState")]
public sealed record StorageState(
    [property: Id(0)] string Id,
    [property: Id(1)] bool Shared,
    [property: Id(2)] long Used,
    [property: Id(3)] long Total);

/// <summary>Everything a server's grain serves from memory: no Proxmox call per request.</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.ServerSnapshot")]
public sealed record ServerSnapshot(
    [property: Id(0)] ServerStatus Status,
    [property: Id(1)] IReadOnlyList<GuestState> Guests,
    [property: Id(2)] IReadOnlyList<NodeState> Nodes,
    [property: Id(3)] IReadOnlyList<StorageState> Storage);
