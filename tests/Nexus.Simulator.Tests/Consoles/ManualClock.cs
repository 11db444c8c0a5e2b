namespace Nexus.Simulator.Tests.Consoles;

/// <summary>Real time plus an offset a test can move; timers keep running in real time.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
