using Nexus.Contracts.Servers;
using Nexus.Proxmox.Timeouts;

namespace Nexus.Grains.Servers;

/// <summary>
/// What a server's grain keeps across activations (state name <c>"proxmox-server"</c>): whether it polls, the
/// learned timeouts, the baseline its deltas are computed against, and the health it last reported (so an
/// alert is not raised twice after a restart). Configuration and credentials are never stored here.
/// </summary>
[GenerateSerializer]
internal sealed class ServerGrainState
{
    [Id(0)] public bool Armed { get; set; }
    [Id(1)] public Guid TenantId { get; set; }
    [Id(2)] public string Name { get; set; } = "";
    [Id(3)] public List<PersistedTimeout> Timeouts { get; set; } = [];
    [Id(4)] public List<GuestState> Guests { get; set; } = [];
    [Id(5)] public List<NodeState> Nodes { get; set; } = [];
    [Id(6)] public List<StorageState> Storage { get; set; } = [];
    [Id(7)] public ServerHealth Health { get; set; }
    [Id(8)] public DateTimeOffset? LastSuccessAt { get; set; }
    [Id(9)] public string? ProxmoxVersion { get; set; }
}

/// <summary>One learned timeout in plain fields (the Proxmox client's snapshot types carry no serializer attributes).</summary>
[GenerateSerializer]
internal sealed record PersistedTimeout(
    [property: Id(0)] string Endpoint,
    [property: Id(1)] RequestClass RequestClass,
    [property: Id(2)] double? SmoothedMs,
    [property: Id(3)] double VarianceMs,
    [property: Id(4)] int BackoffExponent,
    [property: Id(5)] long Samples,
    [property: Id(6)] long Timeouts,
    [property: Id(7)] DateTimeOffset? LastUpdate,
    [property: Id(8)] double TimeoutMs,
    [property: Id(9)] double[]? RecentMs = null,
    [property: Id(10)] double? CensoredMs = null)
{
    public static List<PersistedTimeout> From(TimeoutBookSnapshot snapshot) =>
        snapshot.Entries.Select(e => new PersistedTimeout(e.Endpoint, e.RequestClass, e.State.SmoothedMs, e.State.VarianceMs,
            e.State.BackoffExponent, e.State.Samples, e.State.Timeouts, e.State.LastUpdate, e.State.TimeoutMs,
            e.State.RecentMs?.ToArray(), e.State.CensoredMs)).ToList();

    public static TimeoutBookSnapshot ToSnapshot(IEnumerable<PersistedTimeout> entries) =>
        new(entries.Select(e => new TimeoutEntry(e.Endpoint, e.RequestClass,
            new LatencyEstimatorSnapshot(e.SmoothedMs, e.VarianceMs, e.BackoffExponent, e.Samples, e.Timeouts, e.LastUpdate, e.TimeoutMs)
            {
                // The tail estimate's window: without it a restarted grain would fall back to RFC 6298 alone.
                RecentMs = e.RecentMs,
                CensoredMs = e.CensoredMs,
            })).ToArray());
}
