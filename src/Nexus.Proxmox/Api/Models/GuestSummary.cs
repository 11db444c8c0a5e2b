namespace Nexus.Proxmox.Api.Models;

/// <summary>An item of <c>GET /nodes/{node}/qemu</c> or <c>/lxc</c> (qemu items have no <c>type</c> key).</summary>
public record GuestSummary
{
    public int VmId { get; init; }

    public string? Name { get; init; }

    /// <summary><c>running|stopped</c>.</summary>
    public string Status { get; init; } = string.Empty;

    /// <summary>Present for lxc only.</summary>
    public string? Type { get; init; }

    public double? Cpus { get; init; }

    public double? Cpu { get; init; }

    public long? Mem { get; init; }

    public long? MaxMem { get; init; }

    public long? Disk { get; init; }

    public long? MaxDisk { get; init; }

    public long? NetIn { get; init; }

    public long? NetOut { get; init; }

    public long? DiskRead { get; init; }

    public long? DiskWrite { get; init; }

    public long? Uptime { get; init; }

    public long? Pid { get; init; }

    public bool? Template { get; init; }

    public string? Lock { get; init; }

    public string? Tags { get; init; }

    public bool IsRunning => string.Equals(Status, "running", StringComparison.Ordinal);
}
