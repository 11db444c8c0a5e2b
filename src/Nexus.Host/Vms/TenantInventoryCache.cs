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
    private readonly ConcurrentDictionary<Guid, ServerRows> _rowsByServer = new();
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
            rows.AddRange(RowsOf(snapshot, tenantId));
        }
        var inventory = new TenantInventory(tenantId, version, rows, time.GetTimestamp(), current);
        // Sorted here, off the request path, while requests are still answered from the previous inventory: the
        // default order, and every order the previous version was asked for (taken over when its keys did not move).
        foreach (var key in Enum.GetValues<VmSort>())
        {
            if (key == VmSort.Name || current?.HasOrder(key) == true)
            {
                inventory.OrderBy(key);
            }
        }
        return inventory;
    }

    /// <summary>
    /// A server's rows; the previous ones when its snapshot did not change. Snapshots are immutable and passed by
    /// reference within a silo, so an unchanged server (most of them between two refreshes) costs no allocation.
    /// </summary>
    private IReadOnlyList<InventoryRow> RowsOf(ServerSnapshot snapshot, Guid tenantId)
    {
        var serverId = snapshot.Status.ServerId;
        if (_rowsByServer.TryGetValue(serverId, out var known) && ReferenceEquals(known.Guests, snapshot.Guests)
            && known.TenantId == tenantId && string.Equals(known.ServerName, snapshot.Status.Name, StringComparison.Ordinal))
        {
            return known.Rows;
        }
        var rows = snapshot.Guests.Select(g => TenantInventory.Row(g, tenantId, snapshot.Status.Name)).ToArray();
        _rowsByServer[serverId] = new ServerRows(snapshot.Guests, tenantId, snapshot.Status.Name, rows);
        return rows;
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
        foreach (var (id, rows) in _rowsByServer)
        {
            if (!_entries.ContainsKey(rows.TenantId))
            {
                _rowsByServer.TryRemove(id, out _);
            }
        }
    }

    private sealed record ServerRows(IReadOnlyList<GuestState> Guests, Guid TenantId, string ServerName, InventoryRow[] Rows);

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
