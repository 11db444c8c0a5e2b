namespace Nexus.Simulator.Consoles.Ports;

/// <summary>
/// One vncproxy worker: it holds a port on its node, accepts exactly one connection within the accept
/// timeout, and ends once (OK, or the task error text) whereupon the port is free again.
/// </summary>
internal sealed class VncReservation
{
    private readonly Lock _gate = new();
    private readonly Action<string?> _onFinished;
    private readonly Action<VncReservation> _release;
    private ITimer? _acceptTimer;
    private State _state = State.Listening;

    public VncReservation(ConsoleGuest guest, int port, string vncPassword, DateTimeOffset reservedAt,
        Action<string?> onFinished, Action<VncReservation> release)
    {
        Guest = guest;
        Port = port;
        VncPassword = vncPassword;
        ReservedAt = reservedAt;
        _onFinished = onFinished;
        _release = release;
    }

    private enum State { Listening, Connected, Finished }

    public ConsoleGuest Guest { get; }
    public int Port { get; }
    public string VncPassword { get; }
    public DateTimeOffset ReservedAt { get; }

    /// <summary>Starts the one-shot accept window; when it passes unused the task fails like Proxmox's.</summary>
    public void StartAcceptWindow(TimeProvider clock, TimeSpan timeout)
    {
        var timer = clock.CreateTimer(_ => Finish("connection timed out", onlyIfListening: true), null, timeout, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            if (_state == State.Listening)
            {
                _acceptTimer = timer;
                return;
            }
        }

        timer.Dispose();
    }

    /// <summary>The single <c>accept()</c>: true for the first caller while the window is open.</summary>
    public bool TryAccept()
    {
        lock (_gate)
        {
            if (_state != State.Listening)
                return false;
            _state = State.Connected;
            _acceptTimer?.Dispose();
            _acceptTimer = null;
            return true;
        }
    }

    /// <summary>Ends the worker (null = OK); later calls do nothing.</summary>
    public void Finish(string? error) => Finish(error, onlyIfListening: false);

    private void Finish(string? error, bool onlyIfListening)
    {
        lock (_gate)
        {
            if (_state == State.Finished || (onlyIfListening && _state != State.Listening))
                return;
            _state = State.Finished;
            _acceptTimer?.Dispose();
            _acceptTimer = null;
        }

        _release(this);
        _onFinished(error);
    }
}
