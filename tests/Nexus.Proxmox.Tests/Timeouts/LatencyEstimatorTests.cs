using Nexus.Proxmox.Timeouts;

namespace Nexus.Proxmox.Tests.Timeouts;

public class LatencyEstimatorTests
{
    private static readonly TimeoutPolicy Wide = new(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(60));

    [Fact]
    public void Before_any_sample_the_initial_timeout_is_used()
    {
        var estimator = new LatencyEstimator(TimeoutPolicy.Read);

        Assert.Equal(TimeoutPolicy.Read.Initial, estimator.Timeout);
        Assert.Equal(0, estimator.Samples);
    }

    [Fact]
    public void First_sample_sets_srtt_and_half_of_it_as_variance()
    {
        var estimator = new LatencyEstimator(Wide);

        estimator.Record(TimeSpan.FromMilliseconds(100));

        // RFC 6298 §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + K·RTTVAR = 100 + 4·50.
        Assert.Equal(300, estimator.Timeout.TotalMilliseconds, 3);
        var snapshot = estimator.Snapshot();
        Assert.Equal(100, snapshot.SmoothedMs!.Value, 3);
        Assert.Equal(50, snapshot.VarianceMs, 3);
    }

    [Fact]
    public void Steady_latency_converges_to_it_and_the_timeout_is_the_tail_margin_above_it()
    {
        var estimator = new LatencyEstimator(Wide);

        for (var i = 0; i < 60; i++)
        {
            estimator.Record(TimeSpan.FromMilliseconds(200));
        }

        var snapshot = estimator.Snapshot();
        Assert.Equal(200, snapshot.SmoothedMs!.Value, 1);
        Assert.True(snapshot.VarianceMs < 1, $"variance {snapshot.VarianceMs}");
        // RFC 6298 alone would give ~210 ms; the window's p99.5 (200 ms) × 1.5 wins.
        Assert.Equal(300, estimator.Timeout.TotalMilliseconds, 3);
    }

    [Fact]
    public void Jittery_latency_gets_a_wider_margin_than_steady_latency()
    {
        var steady = new LatencyEstimator(Wide);
        var jittery = new LatencyEstimator(Wide);

        for (var i = 0; i < 50; i++)
        {
            steady.Record(TimeSpan.FromMilliseconds(200));
            jittery.Record(TimeSpan.FromMilliseconds(i % 2 == 0 ? 100 : 300));
        }

        Assert.InRange(jittery.Snapshot().SmoothedMs!.Value, 150, 250);
        Assert.True(jittery.Timeout > steady.Timeout + TimeSpan.FromMilliseconds(200),
            $"jittery {jittery.Timeout.TotalMilliseconds} vs steady {steady.Timeout.TotalMilliseconds}");
    }

    [Fact]
    public void The_timeout_never_goes_below_the_floor_or_above_the_ceiling()
    {
        var policy = new TimeoutPolicy(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8));
        var fast = new LatencyEstimator(policy);
        var slow = new LatencyEstimator(policy);

        for (var i = 0; i < 20; i++)
        {
            fast.Record(TimeSpan.FromMilliseconds(3));
            slow.Record(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(TimeSpan.FromSeconds(2), fast.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(8), slow.Timeout);
    }

    [Fact]
    public void Timeouts_double_the_value_up_to_the_ceiling_and_an_answer_ends_the_back_off()
    {
        var policy = new TimeoutPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6));
        var estimator = new LatencyEstimator(policy);

        estimator.RecordTimeout();
        Assert.Equal(TimeSpan.FromSeconds(2), estimator.Timeout);
        estimator.RecordTimeout();
        Assert.Equal(TimeSpan.FromSeconds(4), estimator.Timeout);
        estimator.RecordTimeout();
        Assert.Equal(TimeSpan.FromSeconds(6), estimator.Timeout);
        Assert.Equal(3, estimator.Snapshot().Timeouts);

        estimator.Record(TimeSpan.FromMilliseconds(10));
        Assert.Equal(TimeSpan.FromSeconds(1), estimator.Timeout);
        Assert.Equal(0, estimator.Snapshot().BackoffExponent);
    }

    [Fact]
    public void A_snapshot_restores_into_an_identical_estimator()
    {
        var clock = new ManualTime(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var original = new LatencyEstimator(Wide, clock);
        original.Record(TimeSpan.FromMilliseconds(120));
        original.Record(TimeSpan.FromMilliseconds(180));
        original.RecordTimeout();

        var snapshot = original.Snapshot();
        var restored = new LatencyEstimator(Wide);
        restored.Restore(snapshot);

        Assert.Equal(snapshot, restored.Snapshot());
        Assert.Equal(original.Timeout, restored.Timeout);
        Assert.Equal(2, snapshot.Samples);
        Assert.Equal(clock.GetUtcNow(), snapshot.LastUpdate);
        Assert.Equal(original.Timeout.TotalMilliseconds, snapshot.TimeoutMs, 6);
    }

    [Fact]
    public void A_corrupt_snapshot_cannot_produce_a_zero_or_negative_timeout()
    {
        var estimator = new LatencyEstimator(TimeoutPolicy.Read);

        estimator.Restore(new LatencyEstimatorSnapshot(double.NaN, -5, -3, -1, -1, null, 0));

        Assert.Equal(TimeoutPolicy.Read.Initial, estimator.Timeout);
    }

    [Fact]
    public void A_timeout_book_keeps_one_estimator_per_endpoint_and_class_and_round_trips()
    {
        var book = new TimeoutBook();
        book.For("10.0.0.1:8006", RequestClass.Read).Record(TimeSpan.FromMilliseconds(50));
        book.For("10.0.0.1:8006", RequestClass.List).Record(TimeSpan.FromMilliseconds(500));
        book.For("100.64.0.1:8006", RequestClass.Read).RecordTimeout();

        var snapshot = book.Snapshot();
        var restored = new TimeoutBook();
        restored.Restore(snapshot);

        Assert.Equal(3, snapshot.Entries.Count);
        Assert.Equal(snapshot.Entries, restored.Snapshot().Entries);
        Assert.NotSame(book.For("10.0.0.1:8006", RequestClass.Read), book.For("10.0.0.1:8006", RequestClass.List));
        Assert.Same(book.For("10.0.0.1:8006", RequestClass.Read), book.For("10.0.0.1:8006", RequestClass.Read));
    }

    [Fact]
    public void A_snapshot_survives_json_serialization()
    {
        var book = new TimeoutBook();
        book.For("h:8006", RequestClass.Action).Record(TimeSpan.FromMilliseconds(800));

        var json = System.Text.Json.JsonSerializer.Serialize(book.Snapshot());
        var back = System.Text.Json.JsonSerializer.Deserialize<TimeoutBookSnapshot>(json)!;

        Assert.Equal(book.Snapshot().Entries, back.Entries);
    }

    [Fact]
    public void A_rare_long_tail_is_covered_and_false_timeouts_stay_under_half_a_percent()
    {
        // 50 ms, 5 % of calls +1 s: K·RTTVAR alone cuts this tail short on several percent of calls.
        var random = new Random(7);
        var (estimator, falseRate) = Drive(TimeoutPolicy.Read, 3000, () => random.NextDouble() < 0.05 ? 1050 : 50);

        Assert.True(falseRate <= 0.5, $"false timeouts {falseRate:0.00} %");
        Assert.InRange(estimator.Timeout.TotalMilliseconds, 1050, 3 * 1050);
    }

    [Fact]
    public void A_normal_latency_yields_a_timeout_within_three_times_its_p99()
    {
        var random = new Random(11);
        double Normal() => Math.Max(1, 100 + (25 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())));
        var seen = new List<double>();
        var (estimator, falseRate) = Drive(TimeoutPolicy.Read, 1000, () =>
        {
            var ms = Normal();
            seen.Add(ms);
            return ms;
        });

        seen.Sort();
        var p99 = seen[(int)Math.Ceiling(0.99 * seen.Count) - 1];
        Assert.True(estimator.Timeout.TotalMilliseconds <= 3 * p99, $"timeout {estimator.Timeout.TotalMilliseconds} vs p99 {p99}");
        Assert.True(estimator.Timeout.TotalMilliseconds >= p99, $"timeout {estimator.Timeout.TotalMilliseconds} vs p99 {p99}");
        Assert.True(falseRate <= 0.5, $"false timeouts {falseRate:0.00} %");
    }

    [Fact]
    public void A_tail_that_always_times_out_is_still_learned_within_a_few_timeouts()
    {
        var estimator = new LatencyEstimator(TimeoutPolicy.Read);
        for (var i = 0; i < 100; i++)
        {
            estimator.Record(TimeSpan.FromMilliseconds(50));
        }

        // Every slow (2 s) answer is cut short; the censored "at least the timeout" samples raise it until it fits.
        var timeouts = 0;
        while (estimator.Timeout < TimeSpan.FromSeconds(2))
        {
            estimator.RecordTimeout();
            timeouts++;
            estimator.Record(TimeSpan.FromMilliseconds(50)); // the retry answers fast
            Assert.True(timeouts <= 8, $"still {estimator.Timeout.TotalMilliseconds} ms after {timeouts} timeouts");
        }
    }

    [Fact]
    public void An_outage_backs_off_but_leaves_at_most_one_censored_sample()
    {
        var estimator = new LatencyEstimator(Wide);
        for (var i = 0; i < 50; i++)
        {
            estimator.Record(TimeSpan.FromMilliseconds(100));
        }
        var before = estimator.Timeout;

        for (var i = 0; i < 10; i++)
        {
            estimator.RecordTimeout();
        }
        Assert.True(estimator.Timeout >= before * 32, $"backed off to {estimator.Timeout.TotalMilliseconds} ms");
        estimator.Record(TimeSpan.FromMilliseconds(100));

        // The back-off ends; the one censored sample (the timeout before the outage) raises the tail term by the margin only.
        Assert.Equal(before.TotalMilliseconds * 1.5, estimator.Timeout.TotalMilliseconds, 3);
    }

    [Fact]
    public void Reads_and_lists_have_a_250_ms_floor()
    {
        var read = new LatencyEstimator(TimeoutPolicy.Read);
        var list = new LatencyEstimator(TimeoutPolicy.List);
        for (var i = 0; i < 50; i++)
        {
            read.Record(TimeSpan.FromMilliseconds(5));
            list.Record(TimeSpan.FromMilliseconds(5));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(250), read.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), list.Timeout);
    }

    [Fact]
    public void The_window_is_bounded_and_an_old_tail_is_forgotten()
    {
        var estimator = new LatencyEstimator(Wide);
        for (var i = 0; i < LatencyEstimator.Window; i++)
        {
            estimator.Record(TimeSpan.FromSeconds(1));
        }
        for (var i = 0; i < 5 * LatencyEstimator.Window; i++)
        {
            estimator.Record(TimeSpan.FromMilliseconds(40));
        }

        Assert.Equal(LatencyEstimator.Window, estimator.Snapshot().RecentMs!.Count);
        Assert.InRange(estimator.Timeout.TotalMilliseconds, 59, 61);
    }

    [Fact]
    public void A_snapshot_carries_the_window_so_the_tail_survives_a_restart()
    {
        var original = new LatencyEstimator(TimeoutPolicy.Read);
        for (var i = 0; i < 100; i++)
        {
            original.Record(TimeSpan.FromMilliseconds(i % 20 == 0 ? 1050 : 50));
        }

        var json = System.Text.Json.JsonSerializer.Serialize(original.Snapshot());
        var restored = new LatencyEstimator(TimeoutPolicy.Read);
        restored.Restore(System.Text.Json.JsonSerializer.Deserialize<LatencyEstimatorSnapshot>(json)!);

        Assert.Equal(original.Snapshot(), restored.Snapshot());
        Assert.True(restored.Timeout >= TimeSpan.FromMilliseconds(1050), $"{restored.Timeout.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_snapshot_persisted_before_the_window_existed_restores_rfc_6298_alone()
    {
        // The JSON shape written before RecentMs was added.
        const string json = """{"SmoothedMs":100,"VarianceMs":50,"BackoffExponent":0,"Samples":12,"Timeouts":1,"LastUpdate":null,"TimeoutMs":2000}""";
        var estimator = new LatencyEstimator(Wide);

        estimator.Restore(System.Text.Json.JsonSerializer.Deserialize<LatencyEstimatorSnapshot>(json)!);

        Assert.Equal(300, estimator.Timeout.TotalMilliseconds, 3);
        Assert.Equal(12, estimator.Samples);
        Assert.Empty(estimator.Snapshot().RecentMs!);
        Assert.Equal(estimator.Snapshot(), new LatencyEstimatorSnapshot(100, 50, 0, 12, 1, null, 300));
    }

    /// <summary>
    /// Plays <paramref name="attempts"/> sequential calls against an estimator: an answer slower than the timeout in
    /// force is a false timeout (the endpoint was alive) and the call is retried; returns the false-timeout rate in %.
    /// </summary>
    private static (LatencyEstimator Estimator, double FalseRatePercent) Drive(TimeoutPolicy policy, int attempts, Func<double> latencyMs)
    {
        var estimator = new LatencyEstimator(policy);
        var falseTimeouts = 0;
        for (var i = 0; i < attempts; i++)
        {
            var ms = latencyMs();
            if (ms > estimator.Timeout.TotalMilliseconds)
            {
                estimator.RecordTimeout();
                falseTimeouts++;
            }
            else
            {
                estimator.Record(TimeSpan.FromMilliseconds(ms));
            }
        }
        return (estimator, 100.0 * falseTimeouts / attempts);
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
