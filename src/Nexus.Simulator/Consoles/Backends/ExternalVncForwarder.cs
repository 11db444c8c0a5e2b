using System.Net;
using System.Net.Sockets;

namespace Nexus.Simulator.Consoles.Backends;

/// <summary>
/// <c>--vnc-backend host:port</c>: the session's bytes go to an external RFB server unchanged, as
/// <c>qm vncproxy</c> forwards them to QEMU's socket. The external server does its own authentication.
/// </summary>
internal static class ExternalVncForwarder
{
    private const int BufferSize = 64 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(Stream client, DnsEndPoint backend, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connect.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(backend, connect.Token).ConfigureAwait(false);
        }

        await using var server = new NetworkStream(socket, ownsSocket: false);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = client.CopyToAsync(server, BufferSize, both.Token);
        var down = server.CopyToAsync(client, BufferSize, both.Token);
        await Task.WhenAny(up, down).ConfigureAwait(false);
        await both.CancelAsync().ConfigureAwait(false);
        try
        {
            socket.Shutdown(SocketShutdown.Both);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side ended; the other is cut off like socat does.
        }
    }
}
