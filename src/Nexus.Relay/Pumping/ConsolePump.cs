using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Relay.Closing;
using Nexus.Relay.Hosting;
using Nexus.Relay.Policy;
using Nexus.Relay.Telemetry;
using Nexus.Relay.Upstream;

namespace Nexus.Relay.Pumping;

/// <summary>
/// One console session's data plane: the browser's WebSocket (server side, accepted by the caller) ⇄ Proxmox's
/// <c>vncwebsocket</c>. It answers Proxmox's VNC authentication itself and offers the browser security type None,
/// forces ClientInit's shared flag, filters the client→server RFB stream by the <see cref="ConsolePolicy"/>, passes
/// server→client bytes untouched, and closes the browser with a code and reason. Thread-safe: <see cref="Close"/>
/// and <see cref="Heartbeat"/> may be called from any thread while <see cref="RunAsync"/> runs.
/// </summary>
public sealed partial class ConsolePump
{
    private readonly WebSocket _browser;
    private readonly UpstreamOpener _opener;
    private readonly ConsoleRelayOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ClientMessageFilter _filter;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _closeRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Exactly one sender per socket at a time: the gates serialise the pump's own sends with the close path.
    private readonly SemaphoreSlim _browserSend = new(1, 1);
    private readonly SemaphoreSlim _upstreamSend = new(1, 1);
    private bool _browserCloseSent;

    private CloseRequest? _close;
    private UpstreamConsole? _upstream;
    private volatile bool _upstreamReady;
    private int _state;
    private int _started;
    private long _startTimestamp;
    private DateTimeOffset _startedAt;
    private long _lastInputTimestamp;
    private long _browserToProxmox;
    private long _proxmoxToBrowser;
    private long _inputMessages;
    private long _droppedMessages;
    private int _browserMessageBytes;

    public ConsolePump(
        Guid sessionId,
        WebSocket browser,
        UpstreamOpener opener,
        ConsolePolicy policy,
        ConsoleRelayOptions? options = null,
        ILogger<ConsolePump>? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(opener);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        _options = options ?? new ConsoleRelayOptions();
        _options.Validate();
        SessionId = sessionId;
        Policy = policy;
        _browser = browser;
        _opener = opener;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _filter = new ClientMessageFilter(policy);
    }

    public Guid SessionId { get; }

    public ConsolePolicy Policy { get; }

    public PumpState State => (PumpState)Volatile.Read(ref _state);

    /// <summary>The close decided so far (null while the session runs normally).</summary>
    public ConsoleClose? PendingClose => Volatile.Read(ref _close)?.Close;

    public PumpHeartbeat Heartbeat
    {
        get
        {
            var started = Volatile.Read(ref _startTimestamp);
            var lastInput = Volatile.Read(ref _lastInputTimestamp);
            return new PumpHeartbeat(
                SessionId,
                State,
                _startedAt,
                Interlocked.Read(ref _browserToProxmox),
                Interlocked.Read(ref _proxmoxToBrowser),
                started == 0 ? _startedAt : _startedAt + _time.GetElapsedTime(started, lastInput),
                Interlocked.Read(ref _inputMessages),
                Interlocked.Read(ref _droppedMessages));
        }
    }

    /// <summary>
    /// Ends the session with <paramref name="close"/> (an administrator's kick 4030, a drain 1012, a revoked lease
    /// 4029 …) from any thread. Returns false when the session was already closing for another reason.
    /// </summary>
    public bool Close(ConsoleClose close) => RequestClose(close, CloseInitiator.Control);

    /// <inheritdoc cref="Close(ConsoleClose)"/>
    public bool Close(ConsoleCloseCode code, string reason) => Close(new ConsoleClose(code, reason));

    /// <summary>
    /// Runs the session to its end: opens Proxmox through the opener, runs both RFB handshakes, pumps, closes both
    /// legs. Never throws for network or protocol failures (they become the outcome's close); call once.
    /// <paramref name="cancellationToken"/> is the request's abort (the browser is gone).
    /// </summary>
    public async Task<PumpOutcome> RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A console pump runs once.");
        }
        RelayMetrics.ConsoleStarted();
        _startedAt = _time.GetUtcNow();
        Volatile.Write(ref _lastInputTimestamp, _time.GetTimestamp());
        Volatile.Write(ref _startTimestamp, Volatile.Read(ref _lastInputTimestamp));
        Log.Started(_logger, SessionId, Policy.ViewOnly, Policy.Clipboard);

        using var aborted = cancellationToken.Register(
            static state => ((ConsolePump)state!).RequestClose(new ConsoleClose(ConsoleCloseCode.GoingAway, "request aborted"), CloseInitiator.Browser),
            this);
        using var handshakeTimer = _time.CreateTimer(static state => ((ConsolePump)state!).OnHandshakeTimeout(), this, _options.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        using var limitTimer = StartLimitTimer();

        var work = Task.CompletedTask;
        if (_close is null)
        {
            Interlocked.CompareExchange(ref _state, (int)PumpState.Handshaking, (int)PumpState.Created);
            work = RelayAsync();
        }
        await _closeRequested.Task.ConfigureAwait(false);
        return await TeardownAsync(work).ConfigureAwait(false);
    }

    private sealed record CloseRequest(ConsoleClose Close, CloseInitiator Initiator);

    /// <summary>First decision wins; later ones (often consequences of the first) are ignored.</summary>
    private bool RequestClose(ConsoleClose close, CloseInitiator initiator)
    {
        if (Interlocked.CompareExchange(ref _close, new CloseRequest(close, initiator), null) is not null)
        {
            return false;
        }
        _closeRequested.TrySetResult();
        return true;
    }

    private void OnHandshakeTimeout()
    {
        if (State == PumpState.Handshaking)
        {
            RequestClose(
                _upstreamReady
                    ? new ConsoleClose(ConsoleCloseCode.ProtocolError, "RFB handshake timed out")
                    : new ConsoleClose(ConsoleCloseCode.ProxmoxUnreachable, "Proxmox did not answer in time"),
                _upstreamReady ? CloseInitiator.Browser : CloseInitiator.Proxmox);
        }
    }

    /// <summary>One coarse timer for idle and maximum duration: nothing on the byte path but a timestamp write.</summary>
    private ITimer? StartLimitTimer()
    {
        var shortest = (Policy.IdleTimeout, Policy.MaxDuration) switch
        {
            (null, null) => (TimeSpan?)null,
            ({ } idle, null) => idle,
            (null, { } max) => max,
            ({ } idle, { } max) => idle < max ? idle : max,
        };
        if (shortest is not { } limit)
        {
            return null;
        }
        var period = TimeSpan.FromTicks(Math.Clamp(limit.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        return _time.CreateTimer(static state => ((ConsolePump)state!).CheckLimits(), this, period, period);
    }

    private void CheckLimits()
    {
        var now = _time.GetTimestamp();
        if (Policy.MaxDuration is { } max && _time.GetElapsedTime(Volatile.Read(ref _startTimestamp), now) >= max)
        {
            RequestClose(ConsoleClose.MaxDuration, CloseInitiator.Policy);
        }
        else if (Policy.IdleTimeout is { } idle && _time.GetElapsedTime(Volatile.Read(ref _lastInputTimestamp), now) >= idle)
        {
            RequestClose(ConsoleClose.Idle, CloseInitiator.Policy);
        }
    }

    private async Task<PumpOutcome> TeardownAsync(Task work)
    {
        RelayMetrics.ConsoleEnded();
        var relayed = State is PumpState.Relaying;
        Volatile.Write(ref _state, (int)PumpState.Closing);
        var request = Volatile.Read(ref _close)!;

        // Proxmox leg: pveproxy never sends a Close frame and ends the VNC session on TCP close, so a Close frame
        // without waiting for an echo, then abort.
        if (Volatile.Read(ref _upstream) is { } upstream)
        {
            await CloseUpstreamAsync(upstream.Socket).ConfigureAwait(false);
        }
        await _stop.CancelAsync().ConfigureAwait(false);

        await CloseBrowserAsync(request.Close).ConfigureAwait(false);
        using (var grace = new CancellationTokenSource(_options.CloseGracePeriod, _time))
        {
            try
            {
                await work.WaitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The browser did not answer our Close (or a send is stuck on a slow reader).
                _browser.Abort();
            }
        }
        await work.ConfigureAwait(false);
        Volatile.Read(ref _upstream)?.Dispose();

        var duration = _time.GetElapsedTime(Volatile.Read(ref _startTimestamp));
        var outcome = new PumpOutcome(SessionId, request.Close, request.Initiator, relayed, duration,
            Interlocked.Read(ref _browserToProxmox), Interlocked.Read(ref _proxmoxToBrowser),
            Interlocked.Read(ref _inputMessages), Interlocked.Read(ref _droppedMessages));
        Volatile.Write(ref _state, (int)PumpState.Closed);
        Log.Closed(_logger, SessionId, (int)request.Close.Code, request.Close.Reason, request.Initiator, duration.TotalSeconds,
            outcome.BrowserToProxmoxBytes, outcome.ProxmoxToBrowserBytes, outcome.DroppedMessages);
        return outcome;
    }

    private async Task CloseUpstreamAsync(WebSocket socket)
    {
        if (socket.State != WebSocketState.Open || !await _upstreamSend.WaitAsync(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false))
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500), _time);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNetworkFailure(e))
        {
            // The leg is aborted next anyway.
        }
        finally
        {
            _upstreamSend.Release();
        }
    }

    private async Task CloseBrowserAsync(ConsoleClose close)
    {
        if (!await _browserSend.WaitAsync(_options.CloseGracePeriod).ConfigureAwait(false))
        {
            // A send toward a reader that stopped reading: nothing more can be said to it.
            _browser.Abort();
            return;
        }
        try
        {
            _browserCloseSent = true;
            if (_browser.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(_options.CloseGracePeriod, _time);
                await _browser.CloseOutputAsync((WebSocketCloseStatus)(int)close.Code, close.Reason, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsNetworkFailure(e))
        {
            _browser.Abort();
        }
        finally
        {
            _browserSend.Release();
        }
    }

    internal static bool IsNetworkFailure(Exception e) =>
        e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or IOException;
}
