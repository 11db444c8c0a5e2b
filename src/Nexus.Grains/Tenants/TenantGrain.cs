using Microsoft.Extensions.Logging;
using Nexus.Contracts.Events;
using Nexus.Contracts.Hosting;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Tenants;
using Orleans.Streams;

namespace Nexus.Grains.Tenants;

/// <summary>
/// The sequencer of a tenant's event stream, the register of its servers and its live stats.
/// <para>
/// Versions are allocated in blocks, as a database sequence caches values: before handing out a version above
/// the persisted high-water mark, the mark is raised by <see cref="VersionBlock"/> and written. A crashed
/// activation therefore loses at most the unused rest of its block — the next one starts above the mark, so a
/// version never repeats or goes backwards, and clients treat the jump like any gap (reload the snapshot). A
/// graceful deactivation writes the exact last version, so an ordinary restart leaves no gap. One state write per
/// <see cref="VersionBlock"/> events instead of one per event.
/// </para>
/// <para>
/// Stats are cached and recomputed a moment after a <see cref="VmStatesChanged"/> or <see cref="ServerStatusChanged"/>
/// (debounced: a poll of many servers is one recomputation), or on demand when stale; a change of the numbers is
/// published as <see cref="TenantStatsChanged"/>. Server snapshots are read with <c>[AlwaysInterleave]</c> calls, so
/// a server grain blocked in <see cref="Publish"/> on this grain does not deadlock with it.
/// </para>
/// </summary>
internal sealed class TenantGrain(
    [PersistentState("tenant", OrleansNames.GrainStorage)] IPersistentState<TenantGrainState> state,
    TimeProvider time,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    internal const long VersionBlock = 1000;
    private static readonly TimeSpan StatsDebounce = TimeSpan.FromSeconds(1);

    private long _last;
    private long _accessVersion;
    private IAsyncStream<TenantEvent>? _stream;
    private TenantStats? _stats;
    private bool _statsDirty = true;
    private IGrainTimer? _statsTimer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _last = state.State.ReservedVersion;
        // Unknown what changed while no activation existed: treat access as changed now.
        _accessVersion = _last;
        _stream = this.GetStreamProvider(OrleansNames.StreamProvider)
            .GetStream<TenantEvent>(StreamId.Create(TenantStreams.Namespace, this.GetPrimaryKey()));
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (state.State.ReservedVersion != _last)
        {
            state.State.ReservedVersion = _last;
            try
            {
                await state.WriteStateAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The mark stays at the block's end: versions jump, they do not repeat.
                logger.LogWarning(ex, "Tenant {TenantId}: could not write the last event version", this.GetPrimaryKey());
            }
        }
    }

    public async Task<long> Publish(TenantEventBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var version = await NextVersionAsync();
        await _stream!.OnNextAsync(new TenantEvent(this.GetPrimaryKey(), version, time.GetUtcNow(), body));
        if (body is TenantAccessChanged)
        {
            _accessVersion = version;
        }
        if (body is VmStatesChanged or ServerStatusChanged)
        {
            _statsDirty = true;
            _statsTimer ??= this.RegisterGrainTimer(RefreshStatsAsync, new GrainTimerCreationOptions
            {
                DueTime = StatsDebounce,
                Period = Timeout.InfiniteTimeSpan,
            });
        }
        return version;
    }

    public Task<long> GetVersion() => Task.FromResult(_last);

    public Task<TenantVersions> GetVersions() => Task.FromResult(new TenantVersions(_last, _accessVersion));

    public async Task<TenantStats> GetStats()
    {
        if (_stats is null || _statsDirty)
        {
            await RefreshStatsAsync(CancellationToken.None);
        }
        return _stats!;
    }

    public async Task AddServer(Guid serverId)
    {
        if (!state.State.Servers.Contains(serverId))
        {
            state.State.Servers.Add(serverId);
            _statsDirty = true;
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveServer(Guid serverId)
    {
        if (state.State.Servers.Remove(serverId))
        {
            _statsDirty = true;
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<Guid>> GetServers() => Task.FromResult<IReadOnlyList<Guid>>(state.State.Servers.ToArray());

    private async Task<long> NextVersionAsync()
    {
        if (_last + 1 > state.State.ReservedVersion)
        {
            state.State.ReservedVersion = _last + VersionBlock;
            await state.WriteStateAsync();
        }
        return ++_last;
    }

    private async Task RefreshStatsAsync(CancellationToken ct)
    {
        _statsTimer?.Dispose();
        _statsTimer = null;
        _statsDirty = false;
        var snapshots = await Task.WhenAll(state.State.Servers.Select(id => GrainFactory.GetGrain<IProxmoxServerGrain>(id).GetSnapshot()));
        var stats = TenantStatsAggregator.Aggregate(snapshots, time.GetUtcNow());
        var changed = _stats is null || !TenantStatsAggregator.SameNumbers(_stats, stats);
        _stats = stats;
        if (changed)
        {
            var version = await NextVersionAsync();
            await _stream!.OnNextAsync(new TenantEvent(this.GetPrimaryKey(), version, time.GetUtcNow(), new TenantStatsChanged(stats)));
        }
    }
}
