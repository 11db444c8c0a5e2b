using Nexus.Contracts.Servers;

namespace Nexus.Grains.Servers;

/// <summary>An alert to raise once, on a change of health.</summary>
internal enum AlertKind
{
    Offline,
    Degraded,
    Recovered,
}

/// <summary>
/// Judges a server's health from its recent polls with the tenant's thresholds:
/// <list type="bullet">
/// <item>offline: no successful poll for <see cref="ServerHealthThresholds.OfflineAfter"/>;</item>
/// <item>degraded: the last poll answered, but the success rate over the window is below the threshold or the
/// average latency above it;</item>
/// <item>online: otherwise.</item>
/// </list>
/// A failed poll that is not yet an outage keeps the previous verdict: it is either a blip (the rate will say
/// so at the next answer) or the start of an outage (offline will say so), and reporting "degraded" in between
/// would raise a second alert for one event. Coming back from offline starts a fresh window: the outage was
/// reported already, and its failures would otherwise hold the server "degraded" long after it recovered.
/// </summary>
internal sealed class HealthJudge
{
    private const int WindowSize = 30;
    private const int MinimumForRate = 3;
    private static readonly TimeSpan WindowAge = TimeSpan.FromMinutes(10);

    private readonly Queue<(DateTimeOffset At, bool Success, double? LatencyMs)> _window = new();

    public double SuccessRatePercent => _window.Count == 0 ? 100 : 100.0 * _window.Count(a => a.Success) / _window.Count;

    public double? AverageLatencyMs => _window.Where(a => a.Success && a.LatencyMs is not null).Select(a => a.LatencyMs!.Value)
        .DefaultIfEmpty(double.NaN).Average() is var avg && double.IsNaN(avg) ? null : avg;

    public void Record(DateTimeOffset at, bool success, double? latencyMs)
    {
        _window.Enqueue((at, success, latencyMs));
        while (_window.Count > WindowSize || (_window.Count > 0 && at - _window.Peek().At > WindowAge))
        {
            _window.Dequeue();
        }
    }

    /// <summary>The new health after the latest poll, and the alert to raise when it is a reportable change.</summary>
    public (ServerHealth Health, AlertKind? Alert) Judge(
        ServerHealth previous, bool lastSucceeded, DateTimeOffset now, DateTimeOffset outageSince, ServerHealthThresholds thresholds)
    {
        ServerHealth next;
        if (!lastSucceeded)
        {
            next = now - outageSince >= thresholds.OfflineAfter ? ServerHealth.Offline : previous;
        }
        else
        {
            if (previous == ServerHealth.Offline)
            {
                var last = _window.Last();
                _window.Clear();
                _window.Enqueue(last);
            }
            var slow = AverageLatencyMs is { } latency && latency > thresholds.LatencyMs;
            var failing = _window.Count >= MinimumForRate && SuccessRatePercent < thresholds.SuccessRatePercent;
            next = slow || failing ? ServerHealth.Degraded : ServerHealth.Online;
        }
        AlertKind? alert = (previous, next) switch
        {
            (var p, ServerHealth.Offline) when p != ServerHealth.Offline => AlertKind.Offline,
            (ServerHealth.Online or ServerHealth.Unknown, ServerHealth.Degraded) => AlertKind.Degraded,
            (ServerHealth.Offline or ServerHealth.Degraded, ServerHealth.Online) => AlertKind.Recovered,
            _ => null,
        };
        return (next, alert);
    }
}
