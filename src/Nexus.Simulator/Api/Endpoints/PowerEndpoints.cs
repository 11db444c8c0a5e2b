using Nexus.Simulator.Access;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Tasks;

namespace Nexus.Simulator.Api.Endpoints;

/// <summary>
/// <c>POST …/{qemu|lxc}/{vmid}/status/{action}</c>. Each answers a UPID and runs as a task. Errors found
/// before the worker forks are synchronous 500s; the rest end the task with the error as exitstatus
/// (qemu-server API2/Qemu.pm and pve-container API2/LXC/Status.pm).
/// </summary>
internal static class PowerEndpoints
{
    private static readonly string[] RootOnly = ["skiplock", "migratedfrom", "keepActive", "nocheck"];

    private sealed record Action(string Name, string QemuTask, string LxcTask);

    public static void Map(ApiRouteTable routes)
    {
        foreach (var type in new[] { "qemu", "lxc" })
        {
            foreach (var action in new[] { "start", "stop", "shutdown", "reboot", "reset", "suspend", "resume" })
            {
                if (type == "lxc" && action == "reset")
                {
                    continue;
                }
                routes.Post($"/nodes/{{node}}/{type}/{{vmid}}/status/{action}", Schema(type, action),
                    call => Run(call, type, action), new Permission("/vms/{vmid}", PvePrivileges.VmPowerMgmt));
            }
        }
    }

    private static ParamSchema Schema(string type, string action)
    {
        var s = ParamSchema.Create().Node().Vmid();
        if (type == "qemu")
        {
            switch (action)
            {
                case "start":
                    s.Int("timeout", 0, 86400).Bool("skiplock").Str("machine").Str("force-cpu").Str("stateuri", 128)
                        .Str("migratedfrom").Enum("migration_type", ["secure", "insecure"]).Str("migration_network")
                        .Str("targetstorage").Bool("with-conntrack-state").Str("nets-host-mtu");
                    break;
                case "stop":
                    s.Int("timeout", 0).Bool("skiplock").Bool("keepActive").Bool("overrule-shutdown").Str("migratedfrom");
                    break;
                case "shutdown":
                    s.Int("timeout", 0).Bool("forceStop").Bool("keepActive").Bool("skiplock");
                    break;
                case "reboot":
                    s.Int("timeout", 0);
                    break;
                case "reset":
                    s.Bool("skiplock");
                    break;
                case "suspend":
                    s.Bool("todisk").Str("statestorage").Bool("skiplock");
                    break;
                case "resume":
                    s.Bool("skiplock").Bool("nocheck");
                    break;
            }
        }
        else
        {
            switch (action)
            {
                case "start":
                    s.Bool("skiplock").Bool("debug");
                    break;
                case "stop":
                    s.Bool("skiplock").Bool("overrule-shutdown");
                    break;
                case "shutdown":
                    s.Int("timeout", 0).Bool("forceStop");
                    break;
                case "reboot":
                    s.Int("timeout", 0);
                    break;
            }
        }
        return s;
    }

    private static Task<ApiReply> Run(ApiCall call, string type, string action)
    {
        foreach (var option in RootOnly)
        {
            if (call.Params.ContainsKey(option) && !call.Principal.IsRoot)
            {
                throw ApiException.Parameter(option, "Only root may use this option.");
            }
        }
        var guest = call.Guest(type);
        var todisk = call.Bool("todisk");
        var forceStop = call.Bool("forceStop");
        if (todisk)
        {
            call.Require($"/vms/{guest.Vmid}", PvePrivileges.VmConfigDisk);
        }

        string? syncError;
        lock (guest.Gate)
        {
            syncError = guest.IsQemu ? QemuSyncError(guest, action, forceStop) : LxcSyncError(guest, action);
        }
        if (syncError is not null)
        {
            throw ApiException.Die(syncError);
        }

        var taskType = guest.IsQemu
            ? action switch
            {
                "suspend" => todisk ? "qmsuspend" : "qmpause",
                _ => "qm" + action,
            }
            : "vz" + action;
        var node = call.Node();
        var cluster = call.Cluster;
        var task = cluster.Tasks.Start(node.Name, node.PStart, taskType, guest.Vmid.ToString(System.Globalization.CultureInfo.InvariantCulture), call.Principal.Id);
        _ = Task.Run(() => WorkAsync(cluster, guest, task, action, todisk, forceStop));
        return Task.FromResult(ApiReply.Of(task.Upid));
    }

    private static string? QemuSyncError(SimGuest g, string action, bool forceStop) => action switch
    {
        "start" when g.Template => "you can't start a vm if it's a template",
        "shutdown" when g.State == GuestRunState.Paused && !forceStop => "VM is paused - cannot shutdown",
        "reboot" when g.State == GuestRunState.Stopped => $"VM {g.Vmid} not running",
        "reboot" when g.State == GuestRunState.Paused => "VM is paused - cannot shutdown",
        "reset" or "suspend" when g.State == GuestRunState.Stopped => $"VM {g.Vmid} not running",
        "resume" when g.State == GuestRunState.Stopped && g.Lock != "suspended" => $"VM {g.Vmid} not running",
        _ => null,
    };

    private static string? LxcSyncError(SimGuest g, string action) => action switch
    {
        "start" when g.Template => "you can't start a CT if it's a template",
        "start" when g.State != GuestRunState.Stopped => $"CT {g.Vmid} already running",
        "stop" or "shutdown" or "suspend" when g.State == GuestRunState.Stopped => $"CT {g.Vmid} not running",
        "reboot" when g.State == GuestRunState.Stopped => $"VM {g.Vmid} not running",
        "resume" when g.State == GuestRunState.Stopped => $"CT {g.Vmid} not running",
        "resume" when g.State == GuestRunState.Running => $"CT {g.Vmid} already running",
        _ => null,
    };

    /// <summary>The worker: waits for the guest's lock, re-checks, takes its time, applies the change.</summary>
    private static async Task WorkAsync(SimulatedCluster cluster, SimGuest guest, SimTask task, string action, bool todisk, bool forceStop)
    {
        await guest.TaskGate.WaitAsync().ConfigureAwait(false);
        try
        {
            string? error;
            lock (guest.Gate)
            {
                error = guest.IsQemu ? QemuTaskError(guest, action, forceStop) : LxcSyncError(guest, action);
            }
            if (error is null)
            {
                await Task.Delay(cluster.TaskDuration).ConfigureAwait(false);
                lock (guest.Gate)
                {
                    Apply(cluster, guest, action, todisk);
                }
            }
            task.Finish(error, cluster.Tasks.Now());
        }
        finally
        {
            guest.TaskGate.Release();
        }
    }

    private static string? QemuTaskError(SimGuest g, string action, bool forceStop) => action switch
    {
        // qm start on a running VM is not refused synchronously: the worker fails.
        "start" when g.State != GuestRunState.Stopped => $"VM {g.Vmid} already running",
        _ => QemuSyncError(g, action, forceStop),
    };

    private static void Apply(SimulatedCluster cluster, SimGuest g, string action, bool todisk)
    {
        var now = cluster.Clock.GetUtcNow();
        switch (action)
        {
            case "start":
            case "resume" when g.State == GuestRunState.Stopped:
                g.State = GuestRunState.Running;
                g.StartedAt = now;
                g.Pid = Random.Shared.Next(1_000, 4_000_000);
                g.Lock = null;
                break;
            case "stop":
            case "shutdown":
                g.State = GuestRunState.Stopped;
                g.Lock = null;
                break;
            case "reboot":
                if (!g.IsQemu)
                {
                    g.StartedAt = now;
                    g.Pid = Random.Shared.Next(1_000, 4_000_000);
                }
                break;
            case "suspend" when todisk:
                g.State = GuestRunState.Stopped;
                g.Lock = "suspended";
                break;
            case "suspend":
                g.State = GuestRunState.Paused;
                break;
            case "resume":
                g.State = GuestRunState.Running;
                break;
        }
    }
}
