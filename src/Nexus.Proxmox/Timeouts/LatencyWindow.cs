namespace Nexus.Proxmox.Timeouts;

/// <summary>The last N latencies (ms) of one estimator, with a cached nearest-rank percentile. Not thread-safe: the estimator locks.</summary>
internal sealed class LatencyWindow(int capacity)
{
    private readonly double[] _ring = new double[capacity];
    private readonly double[] _sorted = new double[capacity];
    private int _next;
    private bool _sortedValid;

    public int Count { get; private set; }

    public void Add(double ms)
    {
        _ring[_next] = ms;
        _next = (_next + 1) % _ring.Length;
        Count = Math.Min(Count + 1, _ring.Length);
        _sortedValid = false;
    }

    public void Clear()
    {
        _next = 0;
        Count = 0;
        _sortedValid = false;
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="percent"/> % of the window at or below it.</summary>
    public double Percentile(double percent)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("No samples.");
        }
        if (!_sortedValid)
        {
            CopyOldestFirst(_sorted);
            Array.Sort(_sorted, 0, Count);
            _sortedValid = true;
        }
        var rank = (int)Math.Ceiling(percent / 100 * Count);
        return _sorted[Math.Clamp(rank, 1, Count) - 1];
    }

    /// <summary>Oldest first, so that replaying the array into a new window restores the same order.</summary>
    public double[] ToArray()
    {
        var copy = new double[Count];
        CopyOldestFirst(copy);
        return copy;
    }

    private void CopyOldestFirst(double[] target)
    {
        var start = (_next - Count + _ring.Length) % _ring.Length;
        for (var i = 0; i < Count; i++)
        {
            target[i] = _ring[(start + i) % _ring.Length];
        }
    }
}
