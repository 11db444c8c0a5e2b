namespace Nexus.Simulator.Tests.Support;

/// <summary>The real clock plus an offset a test can move forward (tickets, UPID times, metrics).</summary>
internal sealed class ShiftableClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
