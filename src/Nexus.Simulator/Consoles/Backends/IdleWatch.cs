namespace Nexus.Simulator.Consoles.Backends;

/// <summary>Fires once after a period without traffic in either direction (the proxy's 15 min rule).</summary>
internal sealed class IdleWatch : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly TimeSpan _idle;
    private readonly Action _onIdle;
    private readonly ITimer _timer;
    private long _lastTicks;

    public IdleWatch(TimeProvider clock, TimeSpan idle, Action onIdle)
    {
        _clock = clock;
        _idle = idle;
        _onIdle = onIdle;
        _lastTicks = clock.GetUtcNow().UtcTicks;
        _timer = clock.CreateTimer(_ => Check(), null, idle, Timeout.InfiniteTimeSpan);
    }

    public void Touch() => Volatile.Write(ref _lastTicks, _clock.GetUtcNow().UtcTicks);

    private void Check()
    {
        var quiet = _clock.GetUtcNow() - new DateTimeOffset(Volatile.Read(ref _lastTicks), TimeSpan.Zero);
        if (quiet >= _idle)
            _onIdle();
        else
            _timer.Change(_idle - quiet, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();
}
