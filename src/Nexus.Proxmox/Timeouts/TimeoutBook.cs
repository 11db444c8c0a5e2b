using System.Collections.Concurrent;

namespace Nexus.Proxmox.Timeouts;

/// <summary>One estimator's persisted state, keyed by endpoint (<c>host:port</c>) and request class.</summary>
public sealed record TimeoutEntry(string Endpoint, RequestClass RequestClass, LatencyEstimatorSnapshot State);

/// <summary>Every estimator of one server, as persisted in the server grain's state.</summary>
public sealed record TimeoutBookSnapshot(IReadOnlyList<TimeoutEntry> Entries)
{
    public static TimeoutBookSnapshot Empty { get; } = new([]);
}

/// <summary>The learned timeouts of one server: a <see cref="LatencyEstimator"/> per endpoint × request class.</summary>
public sealed class TimeoutBook
{
    private readonly ConcurrentDictionary<(string Endpoint, RequestClass Class), LatencyEstimator> _estimators = new();
    private readonly Func<RequestClass, TimeoutPolicy> _policies;
    private readonly TimeProvider _time;

    public TimeoutBook(Func<RequestClass, TimeoutPolicy>? policies = null, TimeProvider? timeProvider = null)
    {
        _policies = policies ?? TimeoutPolicy.For;
        _time = timeProvider ?? TimeProvider.System;
    }

    public LatencyEstimator For(string endpoint, RequestClass requestClass)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        return _estimators.GetOrAdd((endpoint, requestClass), key => new LatencyEstimator(_policies(key.Class), _time));
    }

    public TimeoutBookSnapshot Snapshot() =>
        new(_estimators
            .OrderBy(e => e.Key.Endpoint, StringComparer.Ordinal).ThenBy(e => e.Key.Class)
            .Select(e => new TimeoutEntry(e.Key.Endpoint, e.Key.Class, e.Value.Snapshot()))
            .ToArray());

    public void Restore(TimeoutBookSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (var entry in snapshot.Entries)
        {
            For(entry.Endpoint, entry.RequestClass).Restore(entry.State);
        }
    }
}
