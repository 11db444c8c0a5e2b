using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;

namespace Nexus.Tests.Consoles;

/// <summary>
/// The browser's side of a console written from RFC 6143: a WebSocket to Nexus offering the token as a subprotocol,
/// then RFB 3.8 (security None), a framebuffer request and input events, as noVNC does.
/// </summary>
internal sealed class ConsoleRfbClient : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;

    private ConsoleRfbClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public byte[] SecurityTypes { get; private set; } = [];

    public (int Width, int Height, int BitsPerPixel) Screen { get; private set; }

    /// <summary>
    /// Connects; <paramref name="origin"/> null sends none; <paramref name="bearer"/> authenticates the request;
    /// <paramref name="invoker"/> carries the handshake (e.g. a handler that trusts a test certificate for wss).
    /// </summary>
    public static async Task<ConsoleRfbClient> ConnectAsync(Uri uri, string? token, string? origin, string? bearer = null, bool http2 = false,
        bool offerProtocol = true, HttpMessageInvoker? invoker = null)
    {
        var socket = new ClientWebSocket();
        if (offerProtocol)
        {
            socket.Options.AddSubProtocol("nexus.console");
        }
        if (token is not null)
        {
            socket.Options.AddSubProtocol("nexus.console." + token);
        }
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        }
        socket.Options.CollectHttpResponseDetails = true;
        if (http2)
        {
            socket.Options.HttpVersion = new Version(2, 0);
            socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
            invoker ??= new HttpMessageInvoker(new SocketsHttpHandler());
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(uri, invoker, timeout.Token);
        return new ConsoleRfbClient(socket);
    }

    /// <summary>Version, security type None, ClientInit (shared), ServerInit.</summary>
    public async Task HandshakeAsync()
    {
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(await ReadAsync(12)));
        await SendAsync("RFB 003.008\n"u8.ToArray());
        var count = (await ReadAsync(1))[0];
        Assert.NotEqual(0, count);
        SecurityTypes = await ReadAsync(count);
        await SendAsync([1]);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(4)));
        await SendAsync([1]);
        var head = await ReadAsync(24);
        _ = await ReadAsync((int)BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20)));
        Screen = (BinaryPrimitives.ReadUInt16BigEndian(head), BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2)), head[4]);
    }

    /// <summary>A full, non-incremental framebuffer update (Raw); returns its pixel bytes. Every earlier message has been processed then.</summary>
    public async Task<byte[]> FramebufferAsync()
    {
        var request = new byte[10];
        request[0] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), (ushort)Screen.Width);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(8), (ushort)Screen.Height);
        await SendAsync(request);
        var head = await ReadAsync(4);
        Assert.Equal(0, head[0]);
        var pixels = new List<byte>();
        for (var i = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2)); i > 0; i--)
        {
            var rect = await ReadAsync(12);
            Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(rect.AsSpan(8)));
            pixels.AddRange(await ReadAsync(BinaryPrimitives.ReadUInt16BigEndian(rect.AsSpan(4)) * BinaryPrimitives.ReadUInt16BigEndian(rect.AsSpan(6)) * Screen.BitsPerPixel / 8));
        }
        return pixels.ToArray();
    }

    public async Task TypeAsync(uint keysym)
    {
        foreach (var down in new[] { true, false })
        {
            var message = new byte[8];
            message[0] = 4;
            message[1] = down ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), keysym);
            await SendAsync(message);
        }
    }

    public async Task SendAsync(byte[] message)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Socket.SendAsync(message, WebSocketMessageType.Binary, true, timeout.Token);
    }

    /// <summary>Reads until the server's Close frame; its code and reason.</summary>
    public async Task<(int Code, string? Reason)> WaitForCloseAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(15));
        var scratch = new byte[64 * 1024];
        while (true)
        {
            var result = await Socket.ReceiveAsync(scratch, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return ((int)Socket.CloseStatus!.Value, Socket.CloseStatusDescription);
            }
        }
    }

    public async Task<byte[]> ReadAsync(int count)
    {
        var result = new byte[count];
        var filled = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (filled < count)
        {
            if (_start == _end)
            {
                var received = await Socket.ReceiveAsync(_buffer, timeout.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, $"closed: {(int?)Socket.CloseStatus} {Socket.CloseStatusDescription}");
                }
                _start = 0;
                _end = received.Count;
                continue;
            }
            var n = Math.Min(count - filled, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(result.AsSpan(filled));
            _start += n;
            filled += n;
        }
        return result;
    }

    /// <summary>Closes as a browser tab would (1000).</summary>
    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // Already gone.
            }
        }
        Socket.Dispose();
    }
}
