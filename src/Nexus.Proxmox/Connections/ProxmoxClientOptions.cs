using Nexus.Proxmox.Timeouts;

namespace Nexus.Proxmox.Connections;

/// <summary>Tuning of the resilience pipeline and the fallback; the defaults suit a real cluster.</summary>
public sealed record ProxmoxClientOptions
{
    /// <summary>Timeout bounds per request class (the learned value stays inside them).</summary>
    public Func<RequestClass, TimeoutPolicy> TimeoutPolicies { get; init; } = TimeoutPolicy.For;

    /// <summary>Retries after the first attempt, for idempotent requests only.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>First retry delay; doubled per retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// The breaker opens when at least this share of attempts failed in <see cref="BreakerSamplingDuration"/> ...
    /// </summary>
    public double BreakerFailureRatio { get; init; } = 0.5;

    /// <summary>
    /// ... and at least this many attempts were made. Three is one failed GET with its two retries: a server is
    /// polled every few seconds, so a larger minimum would keep traffic on a dead endpoint for minutes.
    /// </summary>
    public int BreakerMinimumThroughput { get; init; } = 3;

    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker rejects calls before letting one trial through (half-open).</summary>
    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>While on the secondary, the primary is probed (<c>GET /version</c>) this often.</summary>
    public TimeSpan FailbackProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on one probe, the fail-back probe and the recovery probe alike.</summary>
    public TimeSpan FailbackProbeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// While an endpoint's breaker is open, a call it rejects first asks the endpoint's <c>GET /version</c> outside
    /// the breaker, at most once per this interval (the first time this long after the breaker opened); an answer
    /// closes the breaker and the call goes ahead. Without it a server that is back stays "offline" for the rest of
    /// the break. Shorter than <see cref="BreakerBreakDuration"/> to matter.
    /// </summary>
    public TimeSpan RecoveryProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Pooled connections are renewed this often, so a changed pin or trust reaches every connection soon.
    /// </summary>
    public TimeSpan PooledConnectionLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Bound on establishing a connection (TCP and TLS). It must be finite: SocketsHttpHandler keeps a connection
    /// attempt running after the request that started it timed out, and queues the next request behind it, so a
    /// host that accepts and never handshakes would otherwise stall every later call.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>PDM opens at most 5 connections per remote; we stay in that range.</summary>
    public int MaxConnectionsPerEndpoint { get; init; } = 6;

    internal void Validate()
    {
        if (MaxRetries is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "0..10");
        }
        if (BreakerFailureRatio is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BreakerFailureRatio), BreakerFailureRatio, "(0, 1]");
        }
        if (BreakerMinimumThroughput < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(BreakerMinimumThroughput), BreakerMinimumThroughput, "at least 2");
        }
        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            throw new ArgumentOutOfRangeException(nameof(BreakerSamplingDuration), "Breaker durations must be at least 500 ms.");
        }
        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout == Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "must be positive and finite");
        }
        if (FailbackProbeInterval <= TimeSpan.Zero || FailbackProbeTimeout <= TimeSpan.Zero || RecoveryProbeInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FailbackProbeInterval), "Probe intervals and timeout must be positive.");
        }
        foreach (var requestClass in Enum.GetValues<RequestClass>())
        {
            TimeoutPolicies(requestClass).Validate();
        }
    }
}
