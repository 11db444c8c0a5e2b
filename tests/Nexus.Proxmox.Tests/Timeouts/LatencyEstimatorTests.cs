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
    public void Steady_latency_converges_to_it_and_the_variance_fades()
    {
        var estimator = new LatencyEstimator(Wide);

        for (var i = 0; i < 60; i++)
        {
            estimator.Record(TimeSpan.FromMilliseconds(200));
        }

        var snapshot = estimator.Snapshot();
        Assert.Equal(200, snapshot.SmoothedMs!.Value, 1);
        Assert.True(snapshot.VarianceMs < 1, $"variance {snapshot.VarianceMs}");
        // Only the granularity margin (10 ms) remains above the mean.
        Assert.InRange(estimator.Timeout.TotalMilliseconds, 209, 215);
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

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
