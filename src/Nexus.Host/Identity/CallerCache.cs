using System.Collections.Concurrent;
using Nexus.Host.Web;

namespace Nexus.Host.Identity;

/// <summary>
/// The account row behind an access token (address, global role, enabled), per silo, for at most
/// <see cref="MaxAge"/>: 50 concurrent requests of one user then cost one database read per two seconds instead
/// of three round trips each, and PostgreSQL stops competing with the requests for the cores.
/// <para>
/// Correctness. Only the account row is cached; memberships and VM grants are not (the VM listing reads them
/// through <c>VmAccessCache</c>, keyed by the tenant's access version). The row's cached fields change only through
/// <c>PATCH /api/users/{id}</c> (disabled), <c>PUT /api/users/{id}/role</c> and <c>DELETE /api/users/{id}</c>
/// (the address never changes; a password change or sign-out revokes refresh tokens, not access tokens, and
/// the cached fields do not hold them). Those endpoints call <see cref="Invalidate"/> after their transaction
/// commits, so on the silo that made the change the very next request reads the row again. Other silos are not
/// told: their entries expire after <see cref="MaxAge"/>, so two seconds bound how long a disabled, deleted or
/// demoted account keeps its access on another silo. A broadcast would not bound it better: not every silo
/// subscribes to a tenant's stream, and a notice is delivered asynchronously with no deadline under load, so a
/// TTL would still be needed behind it. Two seconds is small beside the 15-minute access token lifetime that
/// the refusal shortens, and a silo restart only empties the cache.
/// </para>
/// </summary>
internal sealed class CallerCache(TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private long _invalidations;

    /// <summary>
    /// The caller as the database knows them now or at most <see cref="MaxAge"/> ago (counted from when the read
    /// began); null when the account is gone or disabled. <paramref name="load"/> reads the row (null: refused).
    /// Concurrent requests of one user share one read, so an expiry under load is one query, not one per request.
    /// </summary>
    public async Task<CurrentUser?> GetAsync(Guid userId, Func<Task<CurrentUser?>> load)
    {
        var now = time.GetTimestamp();
        if (_entries.TryGetValue(userId, out var cached) && time.GetElapsedTime(cached.LoadedAt, now) < MaxAge)
        {
            return await cached.User;
        }
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        // Read before the database: an invalidation that lands while the row is being read then keeps the
        // (possibly stale) answer out of the cache below.
        var invalidations = Interlocked.Read(ref _invalidations);
        var reading = new TaskCompletionSource<CurrentUser?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entry = new Entry(reading.Task, now);
        var installed = cached is null ? _entries.TryAdd(userId, entry) : _entries.TryUpdate(userId, entry, cached);
        if (!installed)
        {
            // Another request started the read first: share it.
            return await GetAsync(userId, load);
        }
        try
        {
            reading.SetResult(await load());
        }
        catch (Exception ex)
        {
            // Not cached: the next request tries again.
            _entries.TryRemove(new KeyValuePair<Guid, Entry>(userId, entry));
            reading.SetException(ex);
        }
        // Stored first, checked after: either this check sees a concurrent invalidation and takes the entry back,
        // or the invalidation comes later and removes it itself.
        if (Interlocked.Read(ref _invalidations) != invalidations)
        {
            _entries.TryRemove(new KeyValuePair<Guid, Entry>(userId, entry));
        }
        return await reading.Task;
    }

    /// <summary>Forgets the account on this silo; call after the change is committed.</summary>
    public void Invalidate(Guid userId)
    {
        Interlocked.Increment(ref _invalidations);
        _entries.TryRemove(userId, out _);
    }

    /// <summary><see cref="Invalidate"/> for an endpoint that changed an account.</summary>
    public static void Invalidate(HttpContext context, Guid userId) =>
        context.RequestServices.GetRequiredService<CallerCache>().Invalidate(userId);

    private sealed record Entry(Task<CurrentUser?> User, long LoadedAt);
}
