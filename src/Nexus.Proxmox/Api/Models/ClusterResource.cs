using System.Text.Json.Serialization;

namespace Nexus.Proxmox.Api.Models;

/// <summary>Filter for <c>GET /cluster/resources?type=</c>.</summary>
public enum ClusterResourceType
{
    Vm,
    Storage,
    Node,
    Sdn,
}

/// <summary>
/// An item of <c>GET /cluster/resources</c>: a guest (<c>qemu</c>/<c>lxc</c>), <c>node</c>, <c>storage</c>,
/// <c>pool</c>, <c>sdn</c> or <c>network</c>. Guest values come from the RRD broadcast and may be up to 10 s old;
/// a qemu <c>status</c> is the QMP run state (<c>running</c>, <c>paused</c>, <c>prelaunch</c>, …).
/// </summary>
public sealed record ClusterResource
{
    public string Id { get; init; } = string.Empty;

    public string Type { get; init; } = string.Empty;

    public int? VmId { get; init; }

    public string? Node { get; init; }

    public string? Name { get; init; }

    public string? Status { get; init; }

    public long? Uptime { get; init; }

    public double? Cpu { get; init; }

    /// <summary>May be fractional (vcpus / cpulimit).</summary>
    public double? MaxCpu { get; init; }

    public long? Mem { get; init; }

    public long? MaxMem { get; init; }

    public long? Disk { get; init; }

    public long? MaxDisk { get; init; }

    public long? NetIn { get; init; }

    public long? NetOut { get; init; }

    public long? DiskRead { get; init; }

    public long? DiskWrite { get; init; }

    public long? MemHost { get; init; }

    public bool? Template { get; init; }

    /// <summary>The raw semicolon-separated tag string.</summary>
    public string? Tags { get; init; }

    public string? Pool { get; init; }

    public string? Lock { get; init; }

    public string? HaState { get; init; }

    public string? Storage { get; init; }

    public string? PluginType { get; init; }

    public bool? Shared { get; init; }

    public string? Content { get; init; }

    public string? Sdn { get; init; }

    [JsonPropertyName("cgroup-mode")]
    public int? CgroupMode { get; init; }

    [JsonPropertyName("host-arch")]
    public string? HostArch { get; init; }

    public string? Level { get; init; }

    public bool IsGuest => Type is "qemu" or "lxc";

    public IReadOnlyList<string> TagList =>
        string.IsNullOrEmpty(Tags) ? [] : Tags.Split([';', ',', ' '], StringSplitOptions.RemoveEmptyEntries);
}
