using Orleans.Concurrency;
using Nexus.Contracts.Consoles;
using Nexus.Contracts.Identity;

namespace Nexus.Contracts.Servers;

/// <summary>
/// One registered Proxmox server (a cluster's endpoint set), keyed by the server's id. It polls
/// <c>/cluster/resources</c> on a timer, publishes only what changed on its tenant's stream, judges health,
/// raises alerts once, learns timeouts per endpoint and request class, and moves between the primary and
/// the secondary (Tailscale) path. Its configuration lives in PostgreSQL; the grain holds operational state.
/// <para>
/// It owns the server's one <c>ProxmoxConnection</c> in the cluster, so every Proxmox call for the server (power
/// actions, task status, RRD) goes through it and feeds the same learned timeouts and endpoint fallback.
/// Reads and those pass-through calls are <see cref="AlwaysInterleaveAttribute"/>: they touch no mutable state
/// but the connection (thread-safe) and the last snapshot (an immutable record swapped at the end of a poll),
/// so they never wait behind a slow poll. The grain never calls a VM grain, so Vm→Server calls cannot cycle.
/// </para>
/// </summary>
[Alias("nexus.IProxmoxServerGrain")]
public interface IProxmoxServerGrain : IGrainWithGuidKey
{
    /// <summary>(Re)reads the server's configuration from the database and polls while it is active.
    /// Called after a create or an edit, and by the reminder that keeps active servers polled.</summary>
    [Alias("Reload")]
    Task Reload();

    /// <summary>Activates the grain, which resumes polling if the server is active. Sent by an activation to itself
    /// when its silo shuts down, so polling moves to another silo at once; one-way, nothing to wait for.</summary>
    [Alias("Wake"), OneWay]
    Task Wake();

    /// <summary>Stops polling for good (the server was disabled or deleted) and forgets operational state.</summary>
    [Alias("Retire")]
    Task Retire();

    [Alias("GetStatus"), AlwaysInterleave]
    Task<ServerStatus> GetStatus();

    /// <summary>The last snapshot: guests, nodes and storage as of the last successful poll.</summary>
    [Alias("GetSnapshot"), AlwaysInterleave]
    Task<ServerSnapshot> GetSnapshot();

    /// <summary>One guest of the last snapshot, or null.</summary>
    [Alias("GetGuest"), AlwaysInterleave]
    Task<GuestState?> GetGuest(string guestType, int vmId);

    [Alias("GetLearnedTimeouts"), AlwaysInterleave]
    Task<IReadOnlyList<LearnedTimeout>> GetLearnedTimeouts();

    /// <summary>Polls now instead of waiting for the timer (tests, "refresh" buttons, after a power action).</summary>
    [Alias("PollNow")]
    Task<ServerStatus> PollNow();

    /// <summary>Sends a power action once (never retried blindly); an unknown outcome is verified before it is reported.</summary>
    [Alias("SendPowerAction"), AlwaysInterleave]
    Task<PowerActionSent> SendPowerAction(VmAddress vm, string node, VmPowerAction action);

    /// <summary>The status of a Proxmox task (<c>GET /nodes/{node}/tasks/{upid}/status</c>).</summary>
    [Alias("GetTaskProgress"), AlwaysInterleave]
    Task<TaskProgress> GetTaskProgress(string upid);

    /// <summary><c>status/current</c> of a guest: a few details the snapshot lacks; null when the call fails.</summary>
    [Alias("GetGuestDetail"), AlwaysInterleave]
    Task<GuestDetail?> GetGuestDetail(string guestType, int vmId, string node);

    /// <summary>RRD history of a guest (raw Proxmox units: cpu as a fraction, bytes, bytes per second).</summary>
    [Alias("GetRrd"), AlwaysInterleave]
    Task<IReadOnlyList<RrdSample>> GetRrd(string guestType, int vmId, string node, string timeframe);

    /// <summary><c>vncproxy</c> for one console, sent once; the grant names the endpoint that served it (ProxmoxServerGrain.Consoles.cs).</summary>
    [Alias("OpenVncProxy"), AlwaysInterleave]
    Task<VncProxyGrant> OpenVncProxy(string guestType, int vmId, string node);
}
