using Orleans.Concurrency;
using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;

namespace Nexus.Contracts.Vms;

/// <summary>
/// One guest, keyed by <see cref="Hosting.GrainKeys.Guest"/> (<c>{serverId:N}/qemu/100</c>). Runs power actions
/// (permission check, Proxmox call, task tracked to its end, events, audit) and serves RRD history.
/// Its status comes from its server's polls.
/// </summary>
[Alias("nexus.IVmGrain")]
public interface IVmGrain : IGrainWithStringKey
{
    /// <summary>Starts a power action and returns at once with the task; progress and outcome are published.</summary>
    [Alias("RunAction")]
    Task<VmTask> RunAction(VmPowerAction action, VmActor actor);

    /// <summary>The most recent tasks of this guest, newest first.</summary>
    [Alias("GetTasks"), AlwaysInterleave]
    Task<IReadOnlyList<VmTask>> GetTasks();

    /// <summary>The guest as its server last saw it, or null when it no longer exists.</summary>
    [Alias("GetState"), AlwaysInterleave]
    Task<GuestState?> GetState();
}
