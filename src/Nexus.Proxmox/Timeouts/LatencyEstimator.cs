namespace Nexus.Proxmox.Timeouts;

/// <summary>
/// Learns a request timeout from observed latencies. Two estimates, the larger wins:
/// <list type="bullet">
/// <item>RFC 6298: SRTT ← (1−α)·SRTT + α·R, RTTVAR ← (1−β)·RTTVAR + β·|SRTT−R| with α = 1/8, β = 1/4 (the first
/// sample sets SRTT = R, RTTVAR = R/2), RTO = SRTT + max(G, K·RTTVAR) with K = 4, G = 10 ms (timer granularity).
/// It adapts within a few samples, but K·RTTVAR only covers a tail that moves the mean: a rare (5 %) +1 s tail
/// barely moves RTTVAR, so alone it cuts the tail short.</item>
/// <item>Tail: p99.5 of the last <see cref="Window"/> latencies × <see cref="TailMargin"/>. This is what covers a
/// heavy PVE tail (pvedaemon forks, pmxcfs locks) without a blanket multi-second floor.</item>
/// </list>
/// The result is clamped to the class's floor and ceiling. A timeout doubles the value (RFC 6298 §5.5) up to the
/// ceiling, and the next answer ends the back-off. Since a timed-out attempt's latency is unknown (only "at least
/// the timeout"), the first timeout after an answer is kept as a censored sample at the timeout then in force and
/// enters the window with the next answer: otherwise a tail that is always cut short could never be learned. It
/// waits for the answer so that the back-off during an outage doubles exactly the pre-outage value. Thread-safe.
/// </summary>
public sealed class LatencyEstimator
{
    /// <summary>Latencies kept for the tail estimate: 200 holds ~10 samples of a 5 % tail, and its p99.5 ignores the single worst one.</summary>
    public const int Window = 200;

    /// <summary>p99.5: with a 200-sample window, everything but the single worst sample.</summary>
    private const double TailPercentile = 99.5;

    /// <summary>An answer up to 1.5 × the recent tail is still waited for; a dead endpoint costs at most that (well under 3 × p99).</summary>
    private const double TailMargin = 1.5;

    private const double Alpha = 1.0 / 8;
    private const double Beta = 1.0 / 4;
    private const double K = 4;
    private const double GranularityMs = 10;
    private const int MaxBackoffExponent = 6;

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    // A ring buffer sorted on demand (≤ 200 doubles): simpler and exact where a streaming-quantile library would
    // approximate, and the sort happens at most once per recorded sample.
    private readonly LatencyWindow _recent = new(Window);
    private double? _srtt;
    private double _rttvar;
    private double? _censoredMs;
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
            if (_censoredMs is { } censored)
            {
                _recent.Add(censored);
                _censoredMs = null;
            }
            _recent.Add(r);
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
            // Only the first timeout after an answer, and only once something was learned: during an outage the
            // later timeouts say nothing about the endpoint's latency, and the initial value is a guess.
            if (_backoff == 0 && _srtt is not null)
            {
                _censoredMs = BaseMs();
            }
            _backoff = Math.Min(_backoff + 1, MaxBackoffExponent);
            _timeouts++;
            _lastUpdate = _time.GetUtcNow();
        }
    }

    public LatencyEstimatorSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new LatencyEstimatorSnapshot(_srtt, _rttvar, _backoff, _samples, _timeouts, _lastUpdate, ComputeMs())
            {
                RecentMs = _recent.ToArray(),
                CensoredMs = _censoredMs,
            };
        }
    }

    /// <summary>
    /// Continues from a persisted state (values are sanitized: a corrupt row must not produce a zero timeout).
    /// A snapshot without <see cref="LatencyEstimatorSnapshot.RecentMs"/> (written before the tail estimate existed)
    /// restores RFC 6298 alone; the window refills from the next answers.
    /// </summary>
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
            _recent.Clear();
            _censoredMs = null;
            if (_srtt is not null)
            {
                _censoredMs = snapshot.CensoredMs is { } c && double.IsFinite(c) && c >= 0 ? c : null;
                foreach (var ms in snapshot.RecentMs ?? [])
                {
                    if (double.IsFinite(ms) && ms >= 0)
                    {
                        _recent.Add(ms);
                    }
                }
            }
        }
    }

    private double ComputeMs() =>
        Math.Min(BaseMs() * Math.Pow(2, _backoff), Policy.Ceiling.TotalMilliseconds);

    private double BaseMs()
    {
        if (_srtt is not { } srtt)
        {
            return Policy.Initial.TotalMilliseconds;
        }
        var rto = srtt + Math.Max(GranularityMs, K * _rttvar);
        var tail = _recent.Count == 0 ? 0 : _recent.Percentile(TailPercentile) * TailMargin;
        return Math.Clamp(Math.Max(rto, tail), Policy.Floor.TotalMilliseconds, Policy.Ceiling.TotalMilliseconds);
    }
}
