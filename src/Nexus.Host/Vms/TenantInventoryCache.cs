using System.Collections.Concurrent;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Tenants;

namespace Nexus.Host.Vms;

/// <summary>
/// The VM listing's read model: per silo, per tenant, the tenant's guests from its server grains' snapshots.
/// <para>
/// Why here and not in a grain: a grain activation runs one request at a time, so 50 concurrent listings of
/// 10,000 guests would queue behind each other on one thread (a <c>[StatelessWorker]</c> gives at most one copy per
/// core and still copies each page across the grain boundary). This singleton answers on the request's own
/// thread from an immutable inventory shared by all requests: filtering is one pass over the rows, sorting is
/// precomputed per key, and nothing is fanned out to the servers per request.
/// </para>
/// <para>
/// Freshness: an inventory is trusted for <see cref="Fresh"/>; after that one cheap call reads the tenant's event
/// version (<c>[AlwaysInterleave]</c>), and only a changed version rebuilds from the snapshots. One rebuild runs at a
/// time per tenant, and meanwhile other requests are answered from the previous inventory.
/// </para>
/// </summary>
internal sealed class TenantInventoryCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private long _lastSweep;

    public async Task<TenantInventory> GetAsync(Guid tenantId)
    {
        Sweep();
        var entry = _entries.GetOrAdd(tenantId, _ => new Entry());
        entry.LastUsed = time.GetTimestamp();
        var current = entry.Current;
        if (current is not null && time.GetElapsedTime(current.CheckedAt) < Fresh)
        {
            return current;
        }
        var refresh = entry.Refresh(() => RefreshAsync(tenantId, entry.Current));
        return current ?? await refresh;
    }

    private async Task<TenantInventory> RefreshAsync(Guid tenantId, TenantInventory? current)
    {
        var tenant = grains.GetGrain<ITenantGrain>(tenantId);
        var version = await tenant.GetVersion();
        if (current is not null && current.Version == version)
        {
            current.CheckedAt = time.GetTimestamp();
            return current;
        }
        var servers = await tenant.GetServers();
        var snapshots = await Task.WhenAll(servers.Select(id => grains.GetGrain<IProxmoxServerGrain>(id).GetSnapshot()));
        var rows = new List<InventoryRow>(snapshots.Sum(s => s.Guests.Count));
        foreach (var snapshot in snapshots)
        {
            foreach (var guest in snapshot.Guests)
            {
                rows.Add(TenantInventory.Row(guest, tenantId, snapshot.Status.Name));
            }
        }
        return new TenantInventory(tenantId, version, rows, time.GetTimestamp());
    }

    private void Sweep()
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastSweep);
        if (time.GetElapsedTime(last, now) < TimeSpan.FromMinutes(1) || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }
        foreach (var (id, entry) in _entries)
        {
            if (time.GetElapsedTime(entry.LastUsed, now) > Idle)
            {
                _entries.TryRemove(id, out _);
            }
        }
    }

    private sealed class Entry
    {
        private readonly object _gate = new();
        private Task<TenantInventory>? _refreshing;
        private TenantInventory? _current;
        private long _lastUsed;

        public TenantInventory? Current => Volatile.Read(ref _current);

        public long LastUsed
        {
            get => Volatile.Read(ref _lastUsed);
            set => Volatile.Write(ref _lastUsed, value);
        }

        /// <summary>Starts a refresh unless one runs; returns the running one.</summary>
        public Task<TenantInventory> Refresh(Func<Task<TenantInventory>> build)
        {
            lock (_gate)
            {
                if (_refreshing is { IsCompleted: false } running)
                {
                    return running;
                }
                _refreshing = RunAsync(build);
                return _refreshing;
            }
        }

        private async Task<TenantInventory> RunAsync(Func<Task<TenantInventory>> build)
        {
            await Task.Yield();
            var inventory = await build();
            Volatile.Write(ref _current, inventory);
            return inventory;
        }
    }
}
