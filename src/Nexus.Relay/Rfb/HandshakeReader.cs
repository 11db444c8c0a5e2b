using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;

namespace Nexus.Relay.Rfb;

/// <summary>
/// Exact-length reads of RFB handshake fields from a WebSocket whose messages may cut the byte stream anywhere. Only
/// used until ClientInit; what it read beyond that is handed to the pump (<see cref="Leftover"/>).
/// </summary>
internal sealed class HandshakeReader(WebSocket socket, bool rejectText) : IDisposable
{
    public const int BufferSize = 4096;

    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;

    /// <summary>Raised when the peer sends a Close frame (or a text frame where that is refused).</summary>
    public Func<WebSocketMessageType, RelayCloseException>? OnUnexpected { get; init; }

    public ReadOnlyMemory<byte> Leftover => _buffer.AsMemory(_start, _end - _start);

    public async ValueTask ReadExactlyAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        while (target.Length > 0)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var n = Math.Min(target.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(target);
            _start += n;
            target = target[n..];
        }
    }

    public async ValueTask<byte> ReadByteAsync(CancellationToken cancellationToken)
    {
        var one = new byte[1];
        await ReadExactlyAsync(one, cancellationToken).ConfigureAwait(false);
        return one[0];
    }

    public async ValueTask<uint> ReadUInt32Async(CancellationToken cancellationToken)
    {
        var four = new byte[4];
        await ReadExactlyAsync(four, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32BigEndian(four);
    }

    /// <summary>An RFB reason string (u32 length + text), cut at <paramref name="max"/> bytes (the rest is skipped).</summary>
    public async ValueTask<string> ReadReasonAsync(int max, CancellationToken cancellationToken)
    {
        var length = await ReadUInt32Async(cancellationToken).ConfigureAwait(false);
        var keep = (int)Math.Min(length, (uint)max);
        var text = new byte[keep];
        await ReadExactlyAsync(text, cancellationToken).ConfigureAwait(false);
        for (var skip = (long)length - keep; skip > 0;)
        {
            var chunk = new byte[(int)Math.Min(skip, 1024)];
            await ReadExactlyAsync(chunk, cancellationToken).ConfigureAwait(false);
            skip -= chunk.Length;
        }
        return System.Text.Encoding.UTF8.GetString(text);
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(HandshakeReader));
        _start = 0;
        _end = 0;
        var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        if (result.MessageType == WebSocketMessageType.Close || (rejectText && result.MessageType == WebSocketMessageType.Text))
        {
            throw (Exception?)OnUnexpected?.Invoke(result.MessageType)
                ?? new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The peer closed during the RFB handshake.");
        }
        _end = result.Count;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
