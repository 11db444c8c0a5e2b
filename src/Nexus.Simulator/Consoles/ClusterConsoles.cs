using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Simulator.Consoles.Backends;
using Nexus.Simulator.Consoles.Display;
using Nexus.Simulator.Consoles.Ports;
using Nexus.Simulator.Consoles.Rfb;
using Nexus.Simulator.Consoles.Tickets;
using Nexus.Simulator.Consoles.WebSockets;

namespace Nexus.Simulator.Consoles;

/// <summary>The console back-ends of one simulated cluster.</summary>
public sealed partial class ClusterConsoles : IClusterConsoles, IAsyncDisposable
{
    private readonly ClusterConsoleOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly VncTicketAuthority _tickets;
    private readonly VncPortBroker _ports = new();
    private readonly VncWebSocketEndpoint _webSocket;
    private readonly DnsEndPoint? _externalBackend;
    private readonly ConcurrentDictionary<int, GuestDisplay> _displays = new();
    private readonly ConcurrentDictionary<int, Lazy<RawRfbListener>> _rawListeners = new();
    private readonly CancellationTokenSource _shutdown = new();

    private ClusterConsoles(ClusterConsoleOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ClusterConsoles>();
        _tickets = new VncTicketAuthority(options.TicketSecret, options.Clock, options.LegacyTicketStyle);
        _externalBackend = options.ExternalVncEndPoint;
        _webSocket = new VncWebSocketEndpoint(_tickets, _ports, RunSessionAsync, loggers.CreateLogger<VncWebSocketEndpoint>());
    }

    /// <summary>Validates <paramref name="options"/> (throws <see cref="ArgumentException"/>) and builds the back-ends.</summary>
    public static ClusterConsoles Create(ClusterConsoleOptions options, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new ClusterConsoles(options, loggers ?? NullLoggerFactory.Instance);
    }

    public VncProxyGrant Reserve(ConsoleGuest guest, string principal, Action<string?> onFinished)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(onFinished);
        DisplayOf(guest).Update(guest);

        VncTicket? ticket = null;
        var reservedAt = _options.Clock.GetUtcNow();
        var reservation = _ports.Reserve(guest.Node, (port, release) =>
        {
            ticket = _tickets.Mint(principal, guest.Vmid, port);
            return new VncReservation(guest, port, ticket.VncPassword, reservedAt, error =>
            {
                LogWorkerFinished(_logger, guest.Node, guest.Vmid, port, error ?? "OK");
                onFinished(error);
            }, release);
        });
        reservation.StartAcceptWindow(_options.Clock, _options.AcceptTimeout);
        LogReserved(_logger, guest.Node, guest.Vmid, reservation.Port, principal);
        return new VncProxyGrant(reservation.Port, ticket!.Ticket, ticket.VncPassword);
    }

    public Task HandleWebSocketAsync(HttpContext context, ConsoleGuest guest, string principal, int port, string vncTicket)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(guest);
        return _webSocket.HandleAsync(context, guest, principal, port, vncTicket);
    }

    public IPEndPoint RawEndpoint(ConsoleGuest guest)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        var display = DisplayOf(guest);
        var listener = _rawListeners.GetOrAdd(guest.Vmid, _ => new Lazy<RawRfbListener>(() =>
            new RawRfbListener(display, _options.PasswordLifetime, _options.Clock, _loggers.CreateLogger<RawRfbListener>())));
        return listener.Value.EndPoint;
    }

    public IReadOnlyList<ConsoleInputEvent> InputLog(ConsoleGuest guest)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return _displays.TryGetValue(guest.Vmid, out var display) ? display.InputLog() : [];
    }

    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
            return;
        await _shutdown.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _rawListeners.Values)
        {
            if (listener.IsValueCreated)
                await listener.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    // VM ids are unique in a Proxmox cluster, and the screen follows a VM across nodes.
    private GuestDisplay DisplayOf(ConsoleGuest guest) =>
        _displays.GetOrAdd(guest.Vmid, _ => new GuestDisplay(guest, _options.Clock));

    /// <summary>What runs behind the accepted port: the built-in QEMU-like server, or the external one.</summary>
    private async Task RunSessionAsync(VncReservation reservation, Stream transport, CancellationToken requestAborted)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _shutdown.Token);
        using var idle = new IdleWatch(_options.Clock, _options.IdleTimeout, () =>
        {
            LogIdle(_logger, reservation.Guest.Node, reservation.Port);
            Cancel(session);
        });
        await using var webSocket = new ProxmoxWebSocketStream(transport, idle.Touch);
        try
        {
            if (_externalBackend is not null)
            {
                await ExternalVncForwarder.RunAsync(webSocket, _externalBackend, session.Token).ConfigureAwait(false);
                return;
            }

            var security = new RfbSecurity.VncPassword(reservation.VncPassword, reservation.ReservedAt + _options.PasswordLifetime);
            var handshake = security.ExpiresAt - _options.Clock.GetUtcNow();
            var rfb = new RfbServerSession(webSocket, DisplayOf(reservation.Guest), security,
                handshake > TimeSpan.Zero ? handshake : TimeSpan.FromSeconds(1), _options.Clock, _logger);
            await rfb.RunAsync(session.Token).ConfigureAwait(false);
        }
        catch (WebSocketProtocolViolationException e)
        {
            LogProtocolViolation(_logger, reservation.Guest.Node, reservation.Port, e.Message);
        }
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session already ended.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "vncproxy on {Node} for VM {Vmid}: port {Port} reserved for {Principal}")]
    private static partial void LogReserved(ILogger logger, string node, int vmid, int port, string principal);

    [LoggerMessage(Level = LogLevel.Information, Message = "vncproxy on {Node} for VM {Vmid} port {Port} finished: {Result}")]
    private static partial void LogWorkerFinished(ILogger logger, string node, int vmid, int port, string result);

    [LoggerMessage(Level = LogLevel.Information, Message = "vncproxy on {Node} port {Port}: no traffic for the idle timeout, closing")]
    private static partial void LogIdle(ILogger logger, string node, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "vncwebsocket on {Node} port {Port}: {Violation}, dropping the connection")]
    private static partial void LogProtocolViolation(ILogger logger, string node, int port, string violation);
}
