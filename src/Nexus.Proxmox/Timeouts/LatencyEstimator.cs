namespace Nexus.Proxmox.Timeouts;

/// <summary>
/// Learns a request timeout from observed latencies, as TCP learns its retransmission timeout (RFC 6298):
/// SRTT ← (1−α)·SRTT + α·R, RTTVAR ← (1−β)·RTTVAR + β·|SRTT−R| with α = 1/8, β = 1/4 (the first sample sets
/// SRTT = R, RTTVAR = R/2), and timeout = SRTT + max(G, K·RTTVAR) with K = 4, clamped to the class's floor and
/// ceiling. We keep RFC 6298 rather than a percentile because it needs O(1) state to persist, adapts in a few
/// samples, and its K·RTTVAR margin already covers a heavy tail; G = 10 ms stands for timer granularity.
/// A timeout doubles the value (RFC 6298 §5.5) up to the ceiling, and the next answer ends the back-off.
/// Thread-safe.
/// </summary>
public sealed class LatencyEstimator
{
    private const double Alpha = 1.0 / 8;
    private const double Beta = 1.0 / 4;
    private const double K = 4;
    private const double GranularityMs = 10;
    private const int MaxBackoffExponent = 6;

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private double? _srtt;
    private double _rttvar;
    private int _backoff;
    private long _samples;
    private long _timeouts;
    private DateTimeOffset? _lastUpdate;

    public LatencyEstimator(TimeoutPolicy policy, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        Policy = policy;
        _time = timeProvider ?? TimeProvider.System;
    }

    public TimeoutPolicy Policy { get; }

    /// <summary>The timeout to use for the next attempt.</summary>
    public TimeSpan Timeout
    {
        get
        {
            lock (_gate)
            {
                return TimeSpan.FromMilliseconds(ComputeMs());
            }
        }
    }

    public long Samples
    {
        get
        {
            lock (_gate)
            {
                return _samples;
            }
        }
    }

    /// <summary>An answer arrived after <paramref name="latency"/>.</summary>
    public void Record(TimeSpan latency)
    {
        var r = Math.Max(0, latency.TotalMilliseconds);
        lock (_gate)
        {
            if (_srtt is not { } srtt)
            {
                _srtt = r;
                _rttvar = r / 2;
            }
            else
            {
                _rttvar = ((1 - Beta) * _rttvar) + (Beta * Math.Abs(srtt - r));
                _srtt = ((1 - Alpha) * srtt) + (Alpha * r);
            }
            _backoff = 0;
            _samples++;
            _lastUpdate = _time.GetUtcNow();
        }
    }

    /// <summary>An attempt hit the timeout: back off (double) until the next answer.</summary>
    public void RecordTimeout()
    {
        lock (_gate)
        {
            _backoff = Math.Min(_backoff + 1, MaxBackoffExponent);
            _timeouts++;
            _lastUpdate = _time.GetUtcNow();
        }
    }

    public LatencyEstimatorSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new LatencyEstimatorSnapshot(_srtt, _rttvar, _backoff, _samples, _timeouts, _lastUpdate, ComputeMs());
        }
    }

    /// <summary>Continues from a persisted state (values are sanitized: a corrupt row must not produce a zero timeout).</summary>
    public void Restore(LatencyEstimatorSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            _srtt = snapshot.SmoothedMs is { } s && double.IsFinite(s) && s >= 0 ? s : null;
            _rttvar = double.IsFinite(snapshot.VarianceMs) && snapshot.VarianceMs >= 0 ? snapshot.VarianceMs : 0;
            _backoff = Math.Clamp(snapshot.BackoffExponent, 0, MaxBackoffExponent);
            _samples = Math.Max(0, snapshot.Samples);
            _timeouts = Math.Max(0, snapshot.Timeouts);
            _lastUpdate = snapshot.LastUpdate;
        }
    }

    private double ComputeMs()
    {
        var floor = Policy.Floor.TotalMilliseconds;
        var ceiling = Policy.Ceiling.TotalMilliseconds;
        var baseMs = _srtt is { } srtt
            ? Math.Clamp(srtt + Math.Max(GranularityMs, K * _rttvar), floor, ceiling)
            : Policy.Initial.TotalMilliseconds;
        return Math.Min(baseMs * Math.Pow(2, _backoff), ceiling);
    }
}
