using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nexus.Simulator.Consoles.Display;
using Nexus.Simulator.Consoles.Rfb;

namespace Nexus.Simulator.Consoles.Backends;

/// <summary>
/// A plain TCP RFB server for one guest on an OS-assigned loopback port: no WebSocket, no ticket and
/// security type None, so relays can be measured against the same display the WebSocket path serves.
/// </summary>
internal sealed partial class RawRfbListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly GuestDisplay _display;
    private readonly TimeSpan _handshakeTimeout;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Task _acceptLoop;

    public RawRfbListener(GuestDisplay display, TimeSpan handshakeTimeout, TimeProvider clock, ILogger logger)
    {
        _display = display;
        _handshakeTimeout = handshakeTimeout;
        _clock = clock;
        _logger = logger;
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        LogConnected(_logger, EndPoint.Port);
        try
        {
            var session = new RfbServerSession(stream, _display, new RfbSecurity.None(), _handshakeTimeout, _clock, _logger);
            await session.RunAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            LogFailed(_logger, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Raw RFB client connected on port {Port}")]
    private static partial void LogConnected(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Raw RFB connection failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
