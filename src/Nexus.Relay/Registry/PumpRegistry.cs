using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Relay.Closing;
using Nexus.Relay.Hosting;
using Nexus.Relay.Policy;
using Nexus.Relay.Pumping;
using Nexus.Relay.Upstream;

namespace Nexus.Relay.Registry;

/// <summary>
/// The console pumps running in this silo, by session id: where an administrator's kick (grain → silo observer)
/// and the graceful drain find them. One singleton per silo.
/// </summary>
public sealed class PumpRegistry
{
    private readonly ConcurrentDictionary<Guid, ConsolePump> _pumps = new();
    private readonly ConsoleRelayOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private StrongBox<ConsoleClose>? _draining;

    public PumpRegistry(ConsoleRelayOptions options, ILoggerFactory? loggers = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    public ConsoleRelayOptions Options => _options;

    public int Count => _pumps.Count;

    public bool IsDraining => _draining is not null;

    /// <summary>Heartbeats of every running pump (for the periodic report to the session grains).</summary>
    public IReadOnlyList<PumpHeartbeat> Heartbeats() => _pumps.Values.Select(p => p.Heartbeat).ToArray();

    public bool TryGet(Guid sessionId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConsolePump? pump) =>
        _pumps.TryGetValue(sessionId, out pump);

    /// <summary>
    /// Runs a claimed session on the accepted <paramref name="browser"/> socket until it ends, registered under
    /// <paramref name="sessionId"/> meanwhile. Call it from the WebSocket endpoint after the grain's claim succeeded;
    /// the returned outcome is what to report back to the grain. A second pump for the same id in this silo is refused
    /// (4003); while draining every new session is closed with the drain's code at once.
    /// </summary>
    public async Task<PumpOutcome> RunAsync(
        Guid sessionId, WebSocket browser, UpstreamOpener opener, ConsolePolicy policy, CancellationToken cancellationToken = default)
    {
        var pump = new ConsolePump(sessionId, browser, opener, policy, _options, _loggers.CreateLogger<ConsolePump>(), _time);
        if (!_pumps.TryAdd(sessionId, pump))
        {
            pump.Close(new ConsoleClose(ConsoleCloseCode.Forbidden, "session already connected"));
            return await pump.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            if (Volatile.Read(ref _draining) is { } drain)
            {
                pump.Close(drain.Value);
            }
            return await pump.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pumps.TryRemove(new KeyValuePair<Guid, ConsolePump>(sessionId, pump));
        }
    }

    /// <summary>Closes one session (an administrator's kick: <see cref="ConsoleClose.AdminDisconnect"/>). False when not here.</summary>
    public bool TryClose(Guid sessionId, ConsoleClose close) =>
        _pumps.TryGetValue(sessionId, out var pump) && pump.Close(close);

    /// <summary>Closes every session in this silo; returns how many this call closed.</summary>
    public int CloseAll(ConsoleClose close) => _pumps.Values.Count(pump => pump.Close(close));

    /// <summary>
    /// Graceful drain (hook it to <c>IHostApplicationLifetime.ApplicationStopping</c>): refuses new sessions, closes
    /// every running one with <paramref name="close"/> (1012 by default: the browser reconnects to another silo), and
    /// waits until all have ended or <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task DrainAsync(ConsoleClose? close = null, CancellationToken cancellationToken = default)
    {
        var code = close ?? ConsoleClose.SiloShuttingDown;
        Interlocked.CompareExchange(ref _draining, new StrongBox<ConsoleClose>(code), null);
        CloseAll(code);
        while (!_pumps.IsEmpty)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
            CloseAll(code);
        }
    }
}
