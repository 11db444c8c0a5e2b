using Nexus.Contracts.Identity;

namespace Nexus.Contracts.Vms;

/// <summary>How a power action ended (or that it is still running).</summary>
public enum VmTaskState
{
    Running = 0,
    Succeeded = 1,
    Failed = 2,
    /// <summary>The request timed out and verification could not tell whether Proxmox acted.</summary>
    Unknown = 3,
}

/// <summary>A power action's task as Nexus tracks it to its end.</summary>
[GenerateSerializer, Immutable, Alias("nexus.vms.VmTask")]
public sealed record VmTask(
    [property: Id(0)] Guid TaskId,
    [property: Id(1)] VmAddress Vm,
    [property: Id(2)] VmPowerAction Action,
    [property: Id(3)] string? Upid,
    [property: Id(4)] VmTaskState State,
    [property: Id(5)] string? ExitStatus,
    [property: Id(6)] DateTimeOffset StartedAt,
    [property: Id(7)] DateTimeOffset? EndedAt,
    [property: Id(8)] Guid RequestedBy);

/// <summary>Who asks a VM grain to act, with the access the endpoint loaded for them (the grain re-checks it).</summary>
[GenerateSerializer, Immutable, Alias("nexus.vms.VmActor")]
public sealed record VmActor(
    [property: Id(0)] TenantAccess Access,
    [property: Id(1)] string? Email,
    [property: Id(2)] string? ClientIp,
    [property: Id(3)] string? UserAgent);
