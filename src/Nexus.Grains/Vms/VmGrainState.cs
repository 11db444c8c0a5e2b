using Nexus.Contracts.Vms;

namespace Nexus.Grains.Vms;

/// <summary>A guest's recent power-action tasks (state name <c>"vm"</c>), newest first, with what tracking needs.</summary>
[GenerateSerializer]
internal sealed class VmGrainState
{
    [Id(0)] public List<TrackedTask> Tasks { get; set; } = [];
}

/// <summary>A task and the context its end is audited with (who asked, from where, on which node).</summary>
[GenerateSerializer]
internal sealed record TrackedTask(
    [property: Id(0)] VmTask Task,
    [property: Id(1)] Guid TenantId,
    [property: Id(2)] string Node,
    [property: Id(3)] string ServerName,
    [property: Id(4)] string GuestName,
    [property: Id(5)] string? ClientIp,
    [property: Id(6)] string? UserAgent,
    [property: Id(7)] int FailedChecks = 0);
