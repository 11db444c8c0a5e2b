using System.Collections.Concurrent;
using Nexus.Contracts.Identity;
using Nexus.Contracts.Tenants;
using Nexus.Host.Live;
using Nexus.Host.Web;

namespace Nexus.Host.Vms;

/// <summary>
/// Callers' access to a tenant for the VM listing, loaded by <see cref="LiveAccessLoader"/> and reused while the
/// tenant's access version has not moved. Every membership or grant change publishes
/// <see cref="Contracts.Events.TenantAccessChanged"/>, which moves it; the global role is part of the key (the
/// request pipeline reads it fresh, and refuses disabled accounts); and an entry is never older than
/// <see cref="MaxAge"/>, in case a notice was lost. A listing request then costs no database round trip of its
/// own, which is what lets 50 concurrent listings of a 10,000-VM tenant stay fast on two cores.
/// <para>
/// Other silos see a change when they next read the access version (at most <c>VersionFresh</c>, one second,
/// later). The silo that made it forgets the tenant's entries as the change's response starts
/// (<see cref="InvalidateOnResponse"/>, after the transaction committed), so there the very next request reads
/// the access again.
/// </para>
/// </summary>
internal sealed class VmAccessCache(LiveAccessLoader loader, IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan VersionFresh = TimeSpan.FromSeconds(1);
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<(Guid User, Guid Tenant, GlobalRole Role), Entry> _entries = new();
    private readonly ConcurrentDictionary<Guid, VersionCheck> _versions = new();
    private long _invalidations;

    /// <summary>
    /// The caller's access to the tenant, or null when they see nothing of it (404). Concurrent requests share one
    /// read of the access and one check of the version: 50 listings arriving as an entry expires cost one read,
    /// not 50 at once.
    /// </summary>
    public async Task<TenantAccess?> GetAsync(CurrentUser caller, Guid tenantId, CancellationToken ct)
    {
        var accessVersion = await AccessVersionAsync(tenantId);
        var key = (caller.Id, tenantId, caller.Role);
        var now = time.GetTimestamp();
        if (_entries.TryGetValue(key, out var cached) && cached.AccessVersion == accessVersion && time.GetElapsedTime(cached.LoadedAt, now) < MaxAge)
        {
            return await cached.Access.WaitAsync(ct);
        }
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        // Read before the database: an invalidation that lands while the access is being read keeps the
        // (possibly stale) answer out of the cache (stored first, checked after, as in CallerCache).
        var invalidations = Interlocked.Read(ref _invalidations);
        var reading = new TaskCompletionSource<TenantAccess?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entry = new Entry(reading.Task, accessVersion, now);
        if (!(cached is null ? _entries.TryAdd(key, entry) : _entries.TryUpdate(key, entry, cached)))
        {
            return await GetAsync(caller, tenantId, ct);
        }
        try
        {
            // Shared by concurrent requests, so not cancelled with the one that started it.
            reading.SetResult((await loader.LoadAsync(caller.Id, tenantId, CancellationToken.None))?.Access);
        }
        catch (Exception ex)
        {
            _entries.TryRemove(new KeyValuePair<(Guid, Guid, GlobalRole), Entry>(key, entry));
            reading.SetException(ex);
        }
        if (Interlocked.Read(ref _invalidations) != invalidations)
        {
            _entries.TryRemove(new KeyValuePair<(Guid, Guid, GlobalRole), Entry>(key, entry));
        }
        return await reading.Task.WaitAsync(ct);
    }

    private async Task<long> AccessVersionAsync(Guid tenantId)
    {
        var now = time.GetTimestamp();
        if (_versions.TryGetValue(tenantId, out var known) && time.GetElapsedTime(known.StartedAt, now) < VersionFresh)
        {
            return await known.Version;
        }
        var reading = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var check = new VersionCheck(reading.Task, now);
        if (!(known is null ? _versions.TryAdd(tenantId, check) : _versions.TryUpdate(tenantId, check, known)))
        {
            return await AccessVersionAsync(tenantId);
        }
        try
        {
            reading.SetResult((await grains.GetGrain<ITenantGrain>(tenantId).GetVersions()).AccessVersion);
        }
        catch (Exception ex)
        {
            _versions.TryRemove(new KeyValuePair<Guid, VersionCheck>(tenantId, check));
            reading.SetException(ex);
        }
        return await reading.Task;
    }

    /// <summary>Forgets every caller's access to the tenant on this silo; call once the change is committed.</summary>
    public void Invalidate(Guid tenantId)
    {
        Interlocked.Increment(ref _invalidations);
        _versions.TryRemove(tenantId, out _);
        foreach (var key in _entries.Keys)
        {
            if (key.Tenant == tenantId)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>
    /// For an endpoint that changes access to a tenant inside its transaction: <see cref="Invalidate"/> when the
    /// response starts, i.e. after the commit (called by <c>LiveNotices.AccessChanged</c> for one tenant).
    /// </summary>
    public static void InvalidateOnResponse(HttpContext context, Guid tenantId)
    {
        var cache = context.RequestServices.GetRequiredService<VmAccessCache>();
        context.Response.OnStarting(() =>
        {
            cache.Invalidate(tenantId);
            return Task.CompletedTask;
        });
    }

    private sealed record Entry(Task<TenantAccess?> Access, long AccessVersion, long LoadedAt);

    private sealed record VersionCheck(Task<long> Version, long StartedAt);
}
