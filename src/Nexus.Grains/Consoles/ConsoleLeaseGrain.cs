using Nexus.Contracts.Consoles;

namespace Nexus.Grains.Consoles;

/// <summary>
/// One concurrency counter (a user, a tenant or a node) as a set of leases held by session ids, each with an expiry.
/// Kept in memory on purpose: the sessions renew their leases every few seconds, so a lost activation is rebuilt by
/// the next renewals (briefly admitting a little more than the limit at worst), and a session that died without
/// releasing stops counting when its lease runs out — a persisted count would instead drift on every crash.
/// </summary>
internal sealed class ConsoleLeaseGrain(TimeProvider time) : Grain, IConsoleLeaseGrain
{
    private readonly Dictionary<Guid, DateTimeOffset> _leases = [];

    public Task<bool> TryAcquire(Guid sessionId, int limit, TimeSpan lifetime)
    {
        var now = Prune();
        if (!_leases.ContainsKey(sessionId) && _leases.Count >= limit)
        {
            return Task.FromResult(false);
        }
        _leases[sessionId] = now + lifetime;
        return Task.FromResult(true);
    }

    public Task Renew(Guid sessionId, TimeSpan lifetime)
    {
        _leases[sessionId] = Prune() + lifetime;
        return Task.CompletedTask;
    }

    public Task Release(Guid sessionId)
    {
        _leases.Remove(sessionId);
        return Task.CompletedTask;
    }

    public Task<int> Count()
    {
        var now = time.GetUtcNow();
        return Task.FromResult(_leases.Values.Count(until => until > now));
    }

    private DateTimeOffset Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (id, until) in _leases.ToList())
        {
            if (until <= now)
            {
                _leases.Remove(id);
            }
        }
        return now;
    }
}
