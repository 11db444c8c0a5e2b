namespace Nexus.Benchmarks.Live;

/// <summary>
/// Weighted latencies in 1 ms buckets up to 2 minutes, safe to add to from every client's receive loop. The
/// push side records about 1,000 VM changes per second for each of 2,000 clients: a list of samples would hold
/// over 100 million values, a histogram holds 120,000 counters (hand-written: 40 lines against a dependency).
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Buckets = 120_000;
    private readonly long[] _counts = new long[Buckets + 1];
    private long _total;
    private long _maxMicroseconds;

    public long Count => Interlocked.Read(ref _total);

    public double MaxMs => Interlocked.Read(ref _maxMicroseconds) / 1000.0;

    /// <summary>Adds <paramref name="weight"/> samples of <paramref name="milliseconds"/> (negative clock skew counts as 0).</summary>
    public void Add(double milliseconds, long weight = 1)
    {
        if (weight <= 0)
        {
            return;
        }
        var bucket = (int)Math.Clamp(Math.Floor(milliseconds), 0, Buckets);
        Interlocked.Add(ref _counts[bucket], weight);
        Interlocked.Add(ref _total, weight);
        var micro = (long)(Math.Max(milliseconds, 0) * 1000);
        long seen;
        while (micro > (seen = Interlocked.Read(ref _maxMicroseconds)) && Interlocked.CompareExchange(ref _maxMicroseconds, micro, seen) != seen)
        {
        }
    }

    /// <summary>Nearest-rank percentile, reported as the upper edge of its 1 ms bucket; NaN when empty.</summary>
    public double Percentile(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return double.NaN;
        }
        var rank = (long)Math.Ceiling(percentile / 100.0 * total);
        long seen = 0;
        for (var i = 0; i <= Buckets; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= Math.Max(rank, 1))
            {
                return Math.Min(i + 1, MaxMs);
            }
        }
        return MaxMs;
    }
}
