using System.Buffers.Binary;

namespace Nexus.Simulator.Consoles.WebSockets;

/// <summary>Raised when a client frame breaks pveproxy's rules; pveproxy then drops the connection.</summary>
internal sealed class WebSocketProtocolViolationException(string message) : IOException(message);

/// <summary>
/// The WebSocket framing of pveproxy's <c>websocket_proxy</c> as a byte stream. Hand-written because
/// ASP.NET Core's managed WebSocket sends Close frames and accepts fragments, and pveproxy does neither:
/// reads unmask client frames (mask required, all-zero allowed), forward text and binary payloads as raw
/// bytes, answer ping with pong, ignore pong, end at a Close frame; a fragmented frame, RSV bits, an
/// unknown opcode or a payload over 128 KiB is a <see cref="WebSocketProtocolViolationException"/>.
/// Writes go out as unfragmented binary frames of at most 128 KiB. Nothing here ever sends a Close frame.
/// </summary>
internal sealed class ProxmoxWebSocketStream(Stream transport, Action? onTraffic = null) : Stream
{
    public const int MaxPayload = 128 * 1024;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _header = new byte[14];
    private readonly byte[] _mask = new byte[4];
    private long _remaining;
    private int _maskOffset;
    private bool _masked;
    private bool _closed;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_remaining == 0)
        {
            if (_closed || !await ReadFrameHeaderAsync(cancellationToken).ConfigureAwait(false))
                return 0;
        }

        var read = await transport.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        if (read == 0)
            throw new EndOfStreamException("The client closed the connection inside a frame.");
        Unmask(buffer.Span[..read]);
        _remaining -= read;
        onTraffic?.Invoke();
        return read;
    }

    /// <summary>Reads frame headers until a data frame with payload starts; false at a Close frame or EOF.</summary>
    private async Task<bool> ReadFrameHeaderAsync(CancellationToken ct)
    {
        if (await transport.ReadAtLeastAsync(_header.AsMemory(0, 2), 2, throwOnEndOfStream: false, ct).ConfigureAwait(false) < 2)
            return false;
        onTraffic?.Invoke();

        var fin = (_header[0] & 0x80) != 0;
        var opcode = _header[0] & 0x0F;
        if (!fin)
            throw new WebSocketProtocolViolationException("received fragmented websocket frame");
        if ((_header[0] & 0x70) != 0)
            throw new WebSocketProtocolViolationException("received websocket frame with RSV flags");
        if ((_header[1] & 0x80) == 0)
            throw new WebSocketProtocolViolationException("received unmasked websocket frame from client");

        long length = _header[1] & 0x7F;
        if (length == 126)
        {
            await transport.ReadExactlyAsync(_header.AsMemory(2, 2), ct).ConfigureAwait(false);
            length = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2));
        }
        else if (length == 127)
        {
            await transport.ReadExactlyAsync(_header.AsMemory(2, 8), ct).ConfigureAwait(false);
            length = BinaryPrimitives.ReadInt64BigEndian(_header.AsSpan(2));
        }

        if (length is > MaxPayload or < 0)
            throw new WebSocketProtocolViolationException($"received too large websocket frame (len = {length})");

        await transport.ReadExactlyAsync(_mask, ct).ConfigureAwait(false);
        _masked = BinaryPrimitives.ReadUInt32BigEndian(_mask) != 0;
        _maskOffset = 0;

        switch (opcode)
        {
            case 1 or 2:
                _remaining = length;
                return true;
            case 8:
                _closed = true;
                return false;
            case 9:
                var ping = new byte[length];
                await transport.ReadExactlyAsync(ping, ct).ConfigureAwait(false);
                Unmask(ping);
                await WriteFrameAsync(0x8A, ping, ct).ConfigureAwait(false);
                return true;
            case 0xA:
                var pong = new byte[length];
                await transport.ReadExactlyAsync(pong, ct).ConfigureAwait(false);
                return true;
            default:
                throw new WebSocketProtocolViolationException($"received unhandled websocket opcode {opcode}");
        }
    }

    private void Unmask(Span<byte> payload)
    {
        if (!_masked)
            return;
        for (var i = 0; i < payload.Length; i++)
            payload[i] ^= _mask[(_maskOffset + i) & 3];
        _maskOffset = (_maskOffset + payload.Length) & 3;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var chunk = buffer[..Math.Min(buffer.Length, MaxPayload)];
            await WriteFrameAsync(0x82, chunk, cancellationToken).ConfigureAwait(false);
            buffer = buffer[chunk.Length..];
        }
    }

    private async Task WriteFrameAsync(byte first, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var header = new byte[10];
        header[0] = first;
        int headerLength;
        if (payload.Length <= 125)
        {
            header[1] = (byte)payload.Length;
            headerLength = 2;
        }
        else if (payload.Length <= 0xFFFF)
        {
            header[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)payload.Length);
            headerLength = 4;
        }
        else
        {
            header[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), (ulong)payload.Length);
            headerLength = 10;
        }

        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await transport.WriteAsync(header.AsMemory(0, headerLength), ct).ConfigureAwait(false);
            await transport.WriteAsync(payload, ct).ConfigureAwait(false);
            await transport.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        onTraffic?.Invoke();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Asynchronous only.");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Asynchronous only.");
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _writeLock.Dispose();
        base.Dispose(disposing);
    }
}
