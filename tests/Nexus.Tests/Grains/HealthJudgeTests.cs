using Nexus.Contracts.Servers;
using Nexus.Grains.Servers;

namespace Nexus.Tests.Grains;

/// <summary>How a server's health follows its polls, and which changes raise an alert.</summary>
public sealed class HealthJudgeTests
{
    private static readonly ServerHealthThresholds Thresholds = new(80, 500, TimeSpan.FromSeconds(60), true);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_failed_poll_keeps_the_verdict_until_the_offline_duration_has_passed_then_alerts_once()
    {
        var judge = new HealthJudge();
        var health = Poll(judge, ServerHealth.Unknown, T0, true, 20).Health;
        Assert.Equal(ServerHealth.Online, health);

        var blip = Poll(judge, health, T0.AddSeconds(10), false, null, lastSuccess: T0);
        Assert.Equal((ServerHealth.Online, (AlertKind?)null), blip);
        var outage = Poll(judge, health, T0.AddSeconds(61), false, null, lastSuccess: T0);
        Assert.Equal((ServerHealth.Offline, (AlertKind?)AlertKind.Offline), outage);
        Assert.Equal((ServerHealth.Offline, (AlertKind?)null), Poll(judge, ServerHealth.Offline, T0.AddSeconds(70), false, null, lastSuccess: T0));

        // Back: a fresh window, so the outage's failures do not hold it "degraded".
        Assert.Equal((ServerHealth.Online, (AlertKind?)AlertKind.Recovered), Poll(judge, ServerHealth.Offline, T0.AddSeconds(80), true, 20));
    }

    [Fact]
    public void A_low_success_rate_or_a_high_latency_is_degraded_and_recovery_is_reported()
    {
        var judge = new HealthJudge();
        var health = ServerHealth.Online;
        var alerts = new List<AlertKind>();
        for (var i = 0; i < 5; i++)
        {
            (health, var alert) = Poll(judge, health, T0.AddSeconds(i), i % 2 == 0, 20, lastSuccess: T0);
            if (alert is { } a)
            {
                alerts.Add(a);
            }
        }
        Assert.Equal(ServerHealth.Degraded, health);
        Assert.Equal([AlertKind.Degraded], alerts);

        var slow = new HealthJudge();
        Assert.Equal((ServerHealth.Degraded, (AlertKind?)AlertKind.Degraded), Poll(slow, ServerHealth.Online, T0, true, 900));
        for (var i = 1; i <= 30; i++)
        {
            health = Poll(slow, ServerHealth.Degraded, T0.AddSeconds(i), true, 10).Health;
        }
        Assert.Equal((ServerHealth.Online, (AlertKind?)AlertKind.Recovered), Poll(slow, ServerHealth.Degraded, T0.AddSeconds(31), true, 10));
    }

    private static (ServerHealth Health, AlertKind? Alert) Poll(HealthJudge judge, ServerHealth previous, DateTimeOffset at, bool success,
        double? latencyMs, DateTimeOffset? lastSuccess = null)
    {
        judge.Record(at, success, success ? latencyMs : null);
        return judge.Judge(previous, success, at, lastSuccess ?? at, Thresholds);
    }
}
