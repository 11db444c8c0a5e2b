namespace Nexus.Simulator.Clusters;

/// <summary>QEMU run states the simulator models (QMP status; LXC knows only running and stopped).</summary>
public enum GuestRunState
{
    Stopped,
    Running,
    Paused,
}

/// <summary>A simulated QEMU VM or LXC container. Mutable state is guarded by <see cref="Gate"/>.</summary>
internal sealed class SimGuest
{
    public required int Vmid { get; init; }
    public required string Type { get; init; }
    public required string Name { get; init; }
    public required string Node { get; set; }
    public string? Tags { get; init; }
    public string? Pool { get; init; }
    public bool Template { get; init; }
    public required int Cpus { get; init; }
    public required long MaxMem { get; init; }
    public required long MaxDisk { get; init; }
    public required GuestLoad Load { get; init; }

    public object Gate { get; } = new();

    /// <summary>Serializes power tasks of one guest, like qemu-server's config lock.</summary>
    public SemaphoreSlim TaskGate { get; } = new(1, 1);

    public GuestRunState State { get; set; }
    public string? Lock { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public int Pid { get; set; }

    public bool IsQemu => Type == "qemu";

    public string Label => IsQemu ? "VM" : "CT";

    public GuestSnapshot Read()
    {
        lock (Gate)
        {
            return new GuestSnapshot(this, Node, State, Lock, StartedAt, Pid);
        }
    }
}

/// <summary>A consistent copy of a guest's mutable state, taken under its lock.</summary>
internal readonly record struct GuestSnapshot(
    SimGuest Guest, string Node, GuestRunState State, string? Lock, DateTimeOffset StartedAt, int Pid)
{
    public bool Running => State != GuestRunState.Stopped;
}
