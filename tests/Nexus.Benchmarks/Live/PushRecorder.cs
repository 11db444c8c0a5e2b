using System.Collections.Concurrent;

namespace Nexus.Benchmarks.Live;

/// <summary>
/// What every push client reports into: latency histograms of the events published inside the measurement
/// window, and the reference log (tenant, version) → publish time and changed guests, kept by one client per
/// tenant for the whole run so the pollers' staleness can be computed from the same publish times.
/// </summary>
internal sealed class PushRecorder
{
    private long _windowStartTicks = long.MaxValue;
    private long _windowEndTicks = long.MaxValue;

    /// <summary>Receipt minus publish time per delivered VM change (a <c>vmStatesChanged</c> of n guests counts n times).</summary>
    public LatencyHistogram VmChanges { get; } = new();

    /// <summary>Receipt minus publish time per delivered event of any type, <c>hidden</c> included.</summary>
    public LatencyHistogram Events { get; } = new();

    public ConcurrentDictionary<(int Tenant, long Version), (DateTimeOffset At, int ChangedGuests)> Reference { get; } = new();

    public DateTimeOffset WindowStart => new(Interlocked.Read(ref _windowStartTicks), TimeSpan.Zero);

    public DateTimeOffset WindowEnd => new(Interlocked.Read(ref _windowEndTicks), TimeSpan.Zero);

    /// <summary>Events published (by their <c>at</c>) from now on are measured, until <see cref="CloseWindow"/>.</summary>
    public void OpenWindow() => Interlocked.Exchange(ref _windowStartTicks, DateTimeOffset.UtcNow.UtcTicks);

    public void CloseWindow() => Interlocked.Exchange(ref _windowEndTicks, DateTimeOffset.UtcNow.UtcTicks);

    public bool InWindow(DateTimeOffset publishedAt)
    {
        var ticks = publishedAt.UtcTicks;
        return ticks >= Interlocked.Read(ref _windowStartTicks) && ticks < Interlocked.Read(ref _windowEndTicks);
    }
}
