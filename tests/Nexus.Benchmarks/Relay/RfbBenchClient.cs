using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Nexus.Simulator.Consoles.Rfb;

namespace Nexus.Benchmarks.Relay;

/// <summary>
/// A viewer's side of RFB 3.8 over a WebSocket, reduced to what the relay benchmark times: the handshake (security
/// None, or VNC authentication for a direct <c>vncwebsocket</c>), full-screen Raw updates back to back (bulk), and
/// a 1×1 update request/response round trip (a small message each way).
/// </summary>
internal sealed class RfbBenchClient : IAsyncDisposable
{
    private const byte SecurityNone = 1;
    private const byte SecurityVnc = 2;
    private const int UpdateRequestLength = 10;

    private readonly WebSocket _socket;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private readonly byte[] _small = new byte[256];
    private int _start;
    private int _end;

    private RfbBenchClient(WebSocket socket) => _socket = socket;

    public int Width { get; private set; }

    public int Height { get; private set; }

    public int BytesPerPixel { get; private set; }

    /// <summary>Version, security (None if offered, otherwise VNC authentication with <paramref name="vncPassword"/>), shared ClientInit, ServerInit.</summary>
    public static async Task<RfbBenchClient> HandshakeAsync(WebSocket socket, string? vncPassword, CancellationToken cancellationToken)
    {
        var client = new RfbBenchClient(socket);
        try
        {
            await client.HandshakeAsync(vncPassword, cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task HandshakeAsync(string? vncPassword, CancellationToken ct)
    {
        var version = Encoding.ASCII.GetString((await ReadAsync(12, ct)).Span);
        if (!version.StartsWith("RFB 003.", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Not an RFB server: '{version.TrimEnd()}'.");
        }
        await SendAsync("RFB 003.008\n"u8.ToArray(), ct);
        var count = (await ReadAsync(1, ct)).Span[0];
        if (count == 0)
        {
            throw new InvalidDataException("The server offered no security type.");
        }
        var types = (await ReadAsync(count, ct)).ToArray();
        if (types.Contains(SecurityNone))
        {
            await SendAsync([SecurityNone], ct);
        }
        else if (types.Contains(SecurityVnc) && vncPassword is not null)
        {
            await SendAsync([SecurityVnc], ct);
            var challenge = (await ReadAsync(VncAuthentication.ChallengeLength, ct)).ToArray();
            await SendAsync(VncAuthentication.Encrypt(vncPassword, challenge), ct);
        }
        else
        {
            throw new InvalidDataException($"No usable security type among [{string.Join(',', types)}].");
        }
        if (BinaryPrimitives.ReadUInt32BigEndian((await ReadAsync(4, ct)).Span) != 0)
        {
            throw new InvalidDataException("RFB security failed.");
        }
        await SendAsync([1], ct); // ClientInit: shared
        var init = (await ReadAsync(24, ct)).ToArray();
        Width = BinaryPrimitives.ReadUInt16BigEndian(init);
        Height = BinaryPrimitives.ReadUInt16BigEndian(init.AsSpan(2));
        BytesPerPixel = init[4] / 8;
        await SkipAsync(BinaryPrimitives.ReadUInt32BigEndian(init.AsSpan(20)), ct);
    }

    /// <summary>
    /// Full-screen, non-incremental updates while <paramref name="keepGoing"/> says so, the next request sent as soon as
    /// an update starts so the server never waits for the client; returns the bytes received and the time they took.
    /// </summary>
    public async Task<(long Bytes, TimeSpan Elapsed)> BulkAsync(Func<bool> keepGoing, CancellationToken ct)
    {
        var request = UpdateRequest(0, 0, Width, Height);
        var started = Stopwatch.GetTimestamp();
        long bytes = 0;
        await SendAsync(request, ct);
        var outstanding = 1;
        while (outstanding > 0)
        {
            var rectangles = await ReadHeaderAsync(ct);
            bytes += 4;
            outstanding--;
            if (keepGoing())
            {
                await SendAsync(request, ct);
                outstanding++;
            }
            bytes += await ReadRectanglesAsync(rectangles, ct);
        }
        return (bytes, Stopwatch.GetElapsedTime(started));
    }

    /// <summary><see cref="BulkAsync(Func{bool}, CancellationToken)"/> for a wall-clock window.</summary>
    public Task<(long Bytes, TimeSpan Elapsed)> BulkAsync(TimeSpan window, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        return BulkAsync(() => Stopwatch.GetTimestamp() < deadline, ct);
    }

    /// <summary>One 1×1 update request (10 bytes) and its update (20 bytes at 32 bpp), in milliseconds.</summary>
    public async Task<double> RoundTripAsync(CancellationToken ct)
    {
        var request = UpdateRequest(0, 0, 1, 1);
        var started = Stopwatch.GetTimestamp();
        await SendAsync(request, ct);
        await ReadRectanglesAsync(await ReadHeaderAsync(ct), ct);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private async Task<int> ReadHeaderAsync(CancellationToken ct)
    {
        var header = await ReadAsync(4, ct);
        if (header.Span[0] != 0)
        {
            throw new InvalidDataException($"Expected a FramebufferUpdate, got message type {header.Span[0]}.");
        }
        return BinaryPrimitives.ReadUInt16BigEndian(header.Span[2..]);
    }

    private async Task<long> ReadRectanglesAsync(int count, CancellationToken ct)
    {
        long bytes = 0;
        for (var i = 0; i < count; i++)
        {
            var rect = (await ReadAsync(12, ct)).ToArray();
            if (BinaryPrimitives.ReadInt32BigEndian(rect.AsSpan(8)) != 0)
            {
                throw new InvalidDataException("Only Raw rectangles are expected.");
            }
            long pixels = (long)BinaryPrimitives.ReadUInt16BigEndian(rect.AsSpan(4)) * BinaryPrimitives.ReadUInt16BigEndian(rect.AsSpan(6)) * BytesPerPixel;
            await SkipAsync(pixels, ct);
            bytes += 12 + pixels;
        }
        return bytes;
    }

    private static byte[] UpdateRequest(int x, int y, int width, int height)
    {
        var request = new byte[UpdateRequestLength];
        request[0] = 3; // FramebufferUpdateRequest, non-incremental
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), (ushort)x);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(4), (ushort)y);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(8), (ushort)height);
        return request;
    }

    private async Task SendAsync(byte[] message, CancellationToken ct) =>
        await _socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, ct);

    /// <summary>The next <paramref name="count"/> (≤ 256) bytes; valid until the next read.</summary>
    private async Task<ReadOnlyMemory<byte>> ReadAsync(int count, CancellationToken ct)
    {
        var filled = 0;
        while (filled < count)
        {
            await FillAsync(ct);
            var n = Math.Min(count - filled, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(_small.AsSpan(filled));
            _start += n;
            filled += n;
        }
        return _small.AsMemory(0, count);
    }

    private async Task SkipAsync(long count, CancellationToken ct)
    {
        while (count > 0)
        {
            await FillAsync(ct);
            var n = (int)Math.Min(count, _end - _start);
            _start += n;
            count -= n;
        }
    }

    private async ValueTask FillAsync(CancellationToken ct)
    {
        while (_start == _end)
        {
            var received = await _socket.ReceiveAsync(_buffer.AsMemory(), ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                    $"The server closed the console: {(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}");
            }
            _start = 0;
            _end = received.Count;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
                // Already gone.
            }
        }
        _socket.Dispose();
    }
}
