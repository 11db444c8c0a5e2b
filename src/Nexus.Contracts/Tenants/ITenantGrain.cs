using Orleans.Concurrency;
using Nexus.Contracts.Events;

namespace Nexus.Contracts.Tenants;

/// <summary>
/// One tenant, keyed by its id. The sequencer of the tenant's event stream (every event gets the next
/// per-tenant version here, so a client can detect gaps), the register of its polled servers, and the
/// aggregator of its live stats.
/// </summary>
[Alias("nexus.ITenantGrain")]
public interface ITenantGrain : IGrainWithGuidKey
{
    /// <summary>Stamps the event with the next version and publishes it on the tenant's stream.</summary>
    [Alias("Publish")]
    Task<long> Publish(TenantEventBody body);

    /// <summary>The version of the last published event; a REST snapshot carries it.</summary>
    [Alias("GetVersion"), AlwaysInterleave]
    Task<long> GetVersion();

    /// <summary>
    /// The last event version and the version of the last <see cref="TenantAccessChanged"/> (memberships or grants
    /// changed): a cache of callers' access stays valid while the second does not move.
    /// </summary>
    [Alias("GetVersions"), AlwaysInterleave]
    Task<TenantVersions> GetVersions();

    [Alias("GetStats")]
    Task<TenantStats> GetStats();

    /// <summary>
    /// A server of this tenant started polling (its grain calls this on every reload). One-way: the server grain
    /// may call it while this grain waits on that server's snapshot, and must not wait for an answer.
    /// </summary>
    [Alias("AddServer"), OneWay]
    Task AddServer(Guid serverId);

    /// <summary>A server of this tenant was retired.</summary>
    [Alias("RemoveServer"), OneWay]
    Task RemoveServer(Guid serverId);

    /// <summary>The tenant's polled servers (the VM listing and the stats read their snapshots).</summary>
    [Alias("GetServers"), AlwaysInterleave]
    Task<IReadOnlyList<Guid>> GetServers();
}

/// <summary>See <see cref="ITenantGrain.GetVersions"/>.</summary>
[GenerateSerializer, Immutable, Alias("nexus.tenants.TenantVersions")]
public sealed record TenantVersions([property: Id(0)] long Version, [property: Id(1)] long AccessVersion);
