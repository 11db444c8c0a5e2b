using System.Buffers.Binary;

namespace Nexus.Simulator.Consoles.Rfb;

/// <summary>Buffered big-endian reads of RFB messages from a stream; ends with <see cref="EndOfStreamException"/>.</summary>
internal sealed class RfbInput(Stream stream)
{
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    public async ValueTask ReadExactlyAsync(Memory<byte> target, CancellationToken ct)
    {
        while (target.Length > 0)
        {
            if (_start == _end)
                await FillAsync(ct).ConfigureAwait(false);
            var n = Math.Min(target.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(target);
            _start += n;
            target = target[n..];
        }
    }

    public async ValueTask<byte> ReadByteAsync(CancellationToken ct)
    {
        if (_start == _end)
            await FillAsync(ct).ConfigureAwait(false);
        return _buffer[_start++];
    }

    public async ValueTask<ushort> ReadUInt16Async(CancellationToken ct)
    {
        var bytes = new byte[2];
        await ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt16BigEndian(bytes);
    }

    public async ValueTask<uint> ReadUInt32Async(CancellationToken ct)
    {
        var bytes = new byte[4];
        await ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public async ValueTask SkipAsync(long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (_start == _end)
                await FillAsync(ct).ConfigureAwait(false);
            var n = (int)Math.Min(count, _end - _start);
            _start += n;
            count -= n;
        }
    }

    private async ValueTask FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, ct).ConfigureAwait(false);
        if (_end == 0)
            throw new EndOfStreamException("The RFB client closed the connection.");
    }
}
