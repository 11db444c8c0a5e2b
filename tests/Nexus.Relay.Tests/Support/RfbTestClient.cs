using System.Buffers.Binary;
using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace Nexus.Relay.Tests.Support;

/// <summary>What ServerInit said.</summary>
internal sealed record ServerInit(int Width, int Height, int BitsPerPixel, string Name);

/// <summary>
/// A browser-side RFB 3.8 client written from the protocol (RFC 6143), speaking over a WebSocket like noVNC does.
/// </summary>
internal sealed class RfbTestClient : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;

    private RfbTestClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public IReadOnlyList<byte> SecurityTypes { get; private set; } = [];

    public ServerInit? Init { get; private set; }

    public static async Task<RfbTestClient> ConnectAsync(Uri uri, HttpMessageInvoker? invoker = null, Version? httpVersion = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("binary");
        socket.Options.CollectHttpResponseDetails = true;
        if (httpVersion is not null)
        {
            socket.Options.HttpVersion = httpVersion;
            socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(uri, invoker, timeout.Token);
        return new RfbTestClient(socket);
    }

    /// <summary>Version, security (None), ClientInit with <paramref name="shared"/>, ServerInit.</summary>
    public async Task<ServerInit> HandshakeAsync(bool shared = true)
    {
        var version = await ReadAsync(12);
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(version));
        await SendAsync("RFB 003.008\n"u8.ToArray());
        var count = (await ReadAsync(1))[0];
        Assert.NotEqual(0, count);
        SecurityTypes = await ReadAsync(count);
        await SendAsync([1]);
        var result = BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(4));
        Assert.Equal(0u, result);
        await SendAsync([shared ? (byte)1 : (byte)0]);
        var head = await ReadAsync(24);
        var nameLength = (int)BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20));
        var name = Encoding.UTF8.GetString(await ReadAsync(nameLength));
        Init = new ServerInit(BinaryPrimitives.ReadUInt16BigEndian(head), BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2)), head[4], name);
        return Init;
    }

    public async Task SendAsync(byte[] message)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Socket.SendAsync(message, WebSocketMessageType.Binary, true, timeout.Token);
    }

    public static byte[] KeyEvent(uint keysym, bool down)
    {
        var message = new byte[8];
        message[0] = 4;
        message[1] = down ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), keysym);
        return message;
    }

    public static byte[] QemuKeyEvent(uint keysym, uint scancode, bool down)
    {
        var message = new byte[12];
        message[0] = 255;
        message[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), down ? (ushort)1 : (ushort)0);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), keysym);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), scancode);
        return message;
    }

    public static byte[] PointerEvent(byte buttons, ushort x, ushort y)
    {
        var message = new byte[6];
        message[0] = 5;
        message[1] = buttons;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), x);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), y);
        return message;
    }

    public static byte[] CutText(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var message = new byte[8 + bytes.Length];
        message[0] = 6;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), bytes.Length);
        bytes.CopyTo(message, 8);
        return message;
    }

    /// <summary>
    /// A non-incremental FramebufferUpdateRequest for the whole screen, and its answer (Raw). The server reads client
    /// messages in order, so once this returns every message sent before it has been processed.
    /// </summary>
    public async Task<uint[]> RequestFullUpdateAsync()
    {
        var init = Init ?? throw new InvalidOperationException("Handshake first.");
        var request = new byte[10];
        request[0] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), (ushort)init.Width);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(8), (ushort)init.Height);
        await SendAsync(request);

        var head = await ReadAsync(4);
        Assert.Equal(0, head[0]);
        var rectangles = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2));
        var bytesPerPixel = init.BitsPerPixel / 8;
        uint[] pixels = [];
        for (var i = 0; i < rectangles; i++)
        {
            var rect = await ReadAsync(12);
            var width = BinaryPrimitives.ReadUInt16BigEndian(rect.AsSpan(4));
            var height = BinaryPrimitives.ReadUInt16BigEndian(rect.AsSpan(6));
            Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(rect.AsSpan(8))); // Raw
            var data = await ReadAsync(width * height * bytesPerPixel);
            pixels = new uint[width * height];
            for (var p = 0; p < pixels.Length; p++)
            {
                pixels[p] = bytesPerPixel == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(p * 4)) : data[p];
            }
        }
        return pixels;
    }

    /// <summary>Reads (and discards data) until the relay's Close frame; returns its code and reason.</summary>
    public async Task<(WebSocketCloseStatus? Code, string? Reason)> WaitForCloseAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        var scratch = new byte[64 * 1024];
        while (true)
        {
            var result = await Socket.ReceiveAsync(scratch, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (Socket.CloseStatus, Socket.CloseStatusDescription);
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
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                        $"closed by the relay: {Socket.CloseStatus} {Socket.CloseStatusDescription}");
                }
                Assert.Equal(WebSocketMessageType.Binary, received.MessageType);
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
                // The relay is already gone.
            }
        }
        Socket.Dispose();
    }
}
