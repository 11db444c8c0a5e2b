using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Nexus.Contracts.Events;
using Nexus.Contracts.Hosting;
using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Tenants;
using Nexus.Contracts.Vms;
using Nexus.Data.Audit;
using Nexus.Grains.Audit;
using Nexus.Grains.Authorization;

namespace Nexus.Grains.Vms;

/// <summary>
/// One guest: runs its power actions and follows their tasks to the end.
/// <para>
/// The Proxmox calls go through the server's grain (<see cref="IProxmoxServerGrain.SendPowerAction"/>,
/// <see cref="IProxmoxServerGrain.GetTaskProgress"/>), which owns the server's one connection: its learned timeouts
/// and endpoint fallback stay whole, and a re-pin or a new token reaches power actions at once. Those calls are
/// <c>[AlwaysInterleave]</c> and the server grain never calls a VM grain, so the chain Vm→Server cannot wait on
/// itself, nor behind a poll. A silo-local connection cache was the alternative; it would split learning and
/// fallback state per silo and need invalidation across silos on every re-pin.
/// </para>
/// <para>
/// A task is followed by a grain timer (no blocking loop), persisted while it runs, and resumed after the
/// activation was lost. Its start and end are published on the tenant's stream; its end is audited.
/// </para>
/// </summary>
internal sealed class VmGrain(
    [PersistentState("vm", OrleansNames.GrainStorage)] IPersistentState<VmGrainState> state,
    SystemAudit audit,
    TimeProvider time,
    ILogger<VmGrain> logger) : Grain, IVmGrain
{
    private const int KeptTasks = 20;
    private const int MaxFailedChecks = 60;
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(2);

    private IGrainTimer? _tracker;
    private VmAddress? _address;

    private VmAddress Address => _address ??= Parse(this.GetPrimaryKeyString());

    private IProxmoxServerGrain Server => GrainFactory.GetGrain<IProxmoxServerGrain>(Address.ServerId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Tasks.Any(t => t.Task.State == VmTaskState.Running))
        {
            StartTracking();
        }
        return Task.CompletedTask;
    }

    public async Task<VmTask> RunAction(VmPowerAction action, VmActor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var vm = Address;
        var status = await Server.GetStatus();
        var guest = status.TenantId == actor.Access.TenantId ? await Server.GetGuest(vm.GuestType, vm.VmId) : null;
        // The endpoint checked already; the grain checks again because it is the last step before Proxmox.
        switch (guest is null ? AccessDecision.NotFound : PermissionPolicy.DecideVm(actor.Access, vm, PermissionPolicy.RequiredFor(action)))
        {
            case AccessDecision.NotFound:
                throw new KeyNotFoundException("The VM does not exist or you may not see it.");
            case AccessDecision.Forbidden:
                throw new UnauthorizedAccessException($"You may not {action.ToString().ToLowerInvariant()} this VM.");
        }

        var task = new VmTask(Guid.NewGuid(), vm, action, null, VmTaskState.Running, null, time.GetUtcNow(), null, actor.Access.UserId);
        var tracked = new TrackedTask(task, status.TenantId, guest!.Node, status.Name, guest.Name, actor.ClientIp, actor.UserAgent);
        var sent = await Server.SendPowerAction(vm, guest.Node, action);
        switch (sent.Outcome)
        {
            case PowerSendOutcome.Accepted:
                tracked = tracked with { Task = task with { Upid = sent.Upid } };
                Remember(tracked);
                await state.WriteStateAsync();
                await PublishAsync(tracked);
                StartTracking();
                break;
            case PowerSendOutcome.AlreadyDone:
                await FinishAsync(tracked, VmTaskState.Succeeded, sent.Error);
                break;
            case PowerSendOutcome.Unknown:
                await FinishAsync(tracked, VmTaskState.Unknown, sent.Error);
                break;
            default:
                await FinishAsync(tracked, VmTaskState.Failed, sent.Error);
                break;
        }
        return Current(task.TaskId);
    }

    public Task<IReadOnlyList<VmTask>> GetTasks() =>
        Task.FromResult<IReadOnlyList<VmTask>>(state.State.Tasks.Select(t => t.Task).ToList());

    public Task<GuestState?> GetState() => Server.GetGuest(Address.GuestType, Address.VmId);

    private void StartTracking() =>
        _tracker ??= this.RegisterGrainTimer(TrackAsync, new GrainTimerCreationOptions
        {
            DueTime = CheckEvery,
            Period = CheckEvery,
            // A running task keeps its grain: the end must be seen, published and audited.
            KeepAlive = true,
        });

    private async Task TrackAsync(CancellationToken ct)
    {
        foreach (var tracked in state.State.Tasks.Where(t => t.Task.State == VmTaskState.Running).ToList())
        {
            var progress = await Server.GetTaskProgress(tracked.Task.Upid ?? "");
            if (progress.Error is not null && progress.Running)
            {
                var failed = tracked with { FailedChecks = tracked.FailedChecks + 1 };
                Replace(failed);
                if (failed.FailedChecks >= MaxFailedChecks || time.GetUtcNow() - tracked.Task.StartedAt > GiveUpAfter)
                {
                    await FinishAsync(failed, VmTaskState.Unknown, $"The task's status could not be read: {progress.Error}");
                }
                continue;
            }
            if (!progress.Running)
            {
                await FinishAsync(tracked, progress.Succeeded ? VmTaskState.Succeeded : VmTaskState.Failed, progress.ExitStatus ?? progress.Error);
            }
            else if (time.GetUtcNow() - tracked.Task.StartedAt > GiveUpAfter)
            {
                await FinishAsync(tracked, VmTaskState.Unknown, "The task ran longer than Nexus follows tasks.");
            }
        }
        if (!state.State.Tasks.Any(t => t.Task.State == VmTaskState.Running))
        {
            _tracker?.Dispose();
            _tracker = null;
        }
    }

    private async Task FinishAsync(TrackedTask tracked, VmTaskState outcome, string? exitStatus)
    {
        var ended = tracked with { Task = tracked.Task with { State = outcome, ExitStatus = exitStatus, EndedAt = time.GetUtcNow() } };
        Remember(ended);
        await state.WriteStateAsync();
        await PublishAsync(ended);
        var vm = ended.Task.Vm;
        var details = System.Text.Json.JsonSerializer.Serialize(new
        {
            node = ended.Node,
            vmType = vm.GuestType,
            vmid = vm.VmId,
            serverId = vm.ServerId,
            serverName = ended.ServerName,
            action = ended.Task.Action.ToString().ToLowerInvariant(),
            upid = ended.Task.Upid,
            state = outcome.ToString().ToLowerInvariant(),
            exitStatus,
            taskId = ended.Task.TaskId,
        });
        await audit.WriteAsync(new AuditEntry(ended.TenantId, ended.Task.RequestedBy, GrainAuditActions.ForVm(ended.Task.Action),
            outcome == VmTaskState.Succeeded ? AuditOutcome.Success : AuditOutcome.Failure, GrainAuditActions.VmTarget,
            this.GetPrimaryKeyString(), ended.GuestName, details,
            IPAddress.TryParse(ended.ClientIp, out var ip) ? ip : null, ended.UserAgent));
        logger.LogInformation("VM {Vm}: {Action} ended {Outcome} ({ExitStatus})", this.GetPrimaryKeyString(), ended.Task.Action, outcome, exitStatus);
        // Show the new state soon rather than at the next poll; nobody waits for it.
        Server.PollNow().Ignore();
    }

    private Task PublishAsync(TrackedTask tracked) =>
        GrainFactory.GetGrain<ITenantGrain>(tracked.TenantId).Publish(new VmTaskUpdated(tracked.Task));

    private void Remember(TrackedTask tracked)
    {
        var tasks = state.State.Tasks;
        var index = tasks.FindIndex(t => t.Task.TaskId == tracked.Task.TaskId);
        if (index >= 0)
        {
            tasks[index] = tracked;
            return;
        }
        tasks.Insert(0, tracked);
        // Drop the oldest finished ones; a running task is never forgotten.
        while (tasks.Count > KeptTasks && tasks.FindLastIndex(t => t.Task.State != VmTaskState.Running) is var last && last >= 0)
        {
            tasks.RemoveAt(last);
        }
    }

    private void Replace(TrackedTask tracked)
    {
        var index = state.State.Tasks.FindIndex(t => t.Task.TaskId == tracked.Task.TaskId);
        if (index >= 0)
        {
            state.State.Tasks[index] = tracked;
        }
    }

    private VmTask Current(Guid taskId) => state.State.Tasks.First(t => t.Task.TaskId == taskId).Task;

    /// <summary>The address in a key built by <see cref="GrainKeys.Guest"/> (<c>{serverId:N}/qemu/100</c>).</summary>
    internal static VmAddress Parse(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 3 || !Guid.TryParseExact(parts[0], "N", out var serverId) || parts[1] is not ("qemu" or "lxc")
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var vmid))
        {
            throw new ArgumentException($"'{key}' is not a guest key.", nameof(key));
        }
        return new VmAddress(serverId, parts[1], vmid);
    }
}
