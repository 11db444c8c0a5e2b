using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nexus.Simulator.Consoles.Display;

namespace Nexus.Simulator.Consoles.Rfb;

/// <summary>
/// One RFB 3.8 server connection to a guest's display, behaving like QEMU's VNC server as Proxmox runs it:
/// one security type, ClientInit's shared flag under <c>share=allow-exclusive</c>, Raw updates in the
/// client's pixel format, input events recorded on the display.
/// </summary>
internal sealed partial class RfbServerSession(
    Stream stream, GuestDisplay display, RfbSecurity security, TimeSpan handshakeTimeout, TimeProvider clock, ILogger logger)
{
    private const int MaxCutText = 1 << 20;
    private const int WriteChunk = 64 * 1024;
    private const uint ExtendedClipboardProvide = 1u << 28;
    private const uint ExtendedClipboardText = 1u << 0;

    private readonly RfbInput _input = new(stream);
    private readonly Lock _gate = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private PixelFormat _format = PixelFormat.ServerDefault;
    private UpdateRequest? _pending;
    private bool _formatChanged;
    private int _minor;

    public async Task RunAsync(CancellationToken ct)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        DisplayClient? client = null;
        try
        {
            var shared = await HandshakeAsync(session.Token).ConfigureAwait(false);
            if (shared is null)
                return;
            client = new DisplayClient(shared.Value, () => CancelQuietly(session));
            if (!display.Join(client))
            {
                LogRefusedShared(logger);
                client = null;
                return;
            }

            await SendServerInitAsync(session.Token).ConfigureAwait(false);
            var reader = ReadLoopAsync(session.Token);
            var writer = WriteLoopAsync(session.Token);
            await Task.WhenAny(reader, writer).ConfigureAwait(false);
            CancelQuietly(session);
            await Task.WhenAll(Quiet(reader), Quiet(writer)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OperationCanceledException or InvalidDataException)
        {
            LogSessionEnded(logger, e.Message);
        }
        finally
        {
            if (client is not null)
                display.Leave(client);
        }
    }

    /// <summary>Version, security and ClientInit; returns the shared flag, or null when the client is refused.</summary>
    private async Task<bool?> HandshakeAsync(CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(handshakeTimeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var token = linked.Token;

        await WriteAsync("RFB 003.008\n"u8.ToArray(), token).ConfigureAwait(false);
        var version = new byte[12];
        await _input.ReadExactlyAsync(version, token).ConfigureAwait(false);
        var text = Encoding.ASCII.GetString(version);
        if (!text.StartsWith("RFB ", StringComparison.Ordinal) || text[7] != '.' || text[11] != '\n'
            || !int.TryParse(text.AsSpan(8, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
            throw new InvalidDataException("Not an RFB protocol version.");

        // QEMU speaks 3.3, 3.7 and 3.8 and treats any other version as 3.3.
        _minor = minor is 7 or 8 ? minor : 3;

        if (_minor == 3)
        {
            await WriteAsync(U32(security.Type), token).ConfigureAwait(false);
        }
        else
        {
            await WriteAsync([1, security.Type], token).ConfigureAwait(false);
            var chosen = await _input.ReadByteAsync(token).ConfigureAwait(false);
            if (chosen != security.Type)
            {
                await FailSecurityAsync("Unsupported security type", token).ConfigureAwait(false);
                return null;
            }
        }

        if (security is RfbSecurity.VncPassword vnc)
        {
            var challenge = VncAuthentication.NewChallenge();
            await WriteAsync(challenge, token).ConfigureAwait(false);
            var response = new byte[VncAuthentication.ChallengeLength];
            await _input.ReadExactlyAsync(response, token).ConfigureAwait(false);
            var expired = clock.GetUtcNow() > vnc.ExpiresAt;
            if (expired || !VncAuthentication.Verify(vnc.Password, challenge, response))
            {
                LogAuthenticationFailed(logger, expired);
                await FailSecurityAsync("Authentication failed", token).ConfigureAwait(false);
                return null;
            }

            await WriteAsync(U32(0), token).ConfigureAwait(false);
        }
        else if (_minor == 8)
        {
            await WriteAsync(U32(0), token).ConfigureAwait(false);
        }

        var shared = await _input.ReadByteAsync(token).ConfigureAwait(false);
        return shared != 0;
    }

    private async Task FailSecurityAsync(string reason, CancellationToken ct)
    {
        var message = new List<byte>(U32(1));
        if (_minor == 8)
        {
            message.AddRange(U32((uint)reason.Length));
            message.AddRange(Encoding.ASCII.GetBytes(reason));
        }

        await WriteAsync([.. message], ct).ConfigureAwait(false);
    }

    private async Task SendServerInitAsync(CancellationToken ct)
    {
        var name = Encoding.UTF8.GetBytes(display.Name);
        var message = new byte[4 + PixelFormat.Size + 4 + name.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message, GuestDisplay.Width);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), GuestDisplay.Height);
        PixelFormat.ServerDefault.Write(message.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4 + PixelFormat.Size), (uint)name.Length);
        name.CopyTo(message, 8 + PixelFormat.Size);
        await WriteAsync(message, ct).ConfigureAwait(false);
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var header = new byte[PixelFormat.Size + 3];
        while (true)
        {
            var type = await _input.ReadByteAsync(ct).ConfigureAwait(false);
            switch (type)
            {
                case 0: // SetPixelFormat
                    await _input.ReadExactlyAsync(header.AsMemory(0, 3 + PixelFormat.Size), ct).ConfigureAwait(false);
                    var format = PixelFormat.Read(header.AsSpan(3));
                    if (!format.IsSupported)
                        throw new InvalidDataException($"Unsupported pixel format {format}.");
                    lock (_gate)
                    {
                        _format = format;
                        _formatChanged = true;
                    }

                    break;
                case 2: // SetEncodings: Raw is always acceptable, so the list only needs consuming.
                    await _input.SkipAsync(1, ct).ConfigureAwait(false);
                    var count = await _input.ReadUInt16Async(ct).ConfigureAwait(false);
                    await _input.SkipAsync(4L * count, ct).ConfigureAwait(false);
                    break;
                case 3: // FramebufferUpdateRequest
                    await _input.ReadExactlyAsync(header.AsMemory(0, 9), ct).ConfigureAwait(false);
                    Request(new UpdateRequest(header[0] != 0, new PixelRect(
                        BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(1)), BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(3)),
                        BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(5)), BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(7)))));
                    break;
                case 4: // KeyEvent
                    await _input.ReadExactlyAsync(header.AsMemory(0, 7), ct).ConfigureAwait(false);
                    display.RecordKey(header[0] != 0, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(3)), null);
                    break;
                case 5: // PointerEvent
                    await _input.ReadExactlyAsync(header.AsMemory(0, 5), ct).ConfigureAwait(false);
                    display.RecordPointer(header[0], BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(1)), BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(3)));
                    break;
                case 6: // ClientCutText
                    await _input.ReadExactlyAsync(header.AsMemory(0, 7), ct).ConfigureAwait(false);
                    await ReadCutTextAsync(BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(3)), ct).ConfigureAwait(false);
                    break;
                case 255: // QEMU client message
                    await ReadQemuMessageAsync(header, ct).ConfigureAwait(false);
                    break;
                default:
                    // QEMU drops a client that sends a message type it does not know.
                    throw new InvalidDataException($"Unknown RFB client message {type}.");
            }
        }
    }

    private async Task ReadQemuMessageAsync(byte[] buffer, CancellationToken ct)
    {
        var subtype = await _input.ReadByteAsync(ct).ConfigureAwait(false);
        switch (subtype)
        {
            case 0: // Extended key event: u16 down, u32 keysym, u32 scancode
                await _input.ReadExactlyAsync(buffer.AsMemory(0, 10), ct).ConfigureAwait(false);
                display.RecordKey(BinaryPrimitives.ReadUInt16BigEndian(buffer) != 0,
                    BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(2)), BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(6)));
                break;
            case 1: // Audio: u16 operation; "set format" carries u8 format, u8 channels, u32 frequency
                var operation = await _input.ReadUInt16Async(ct).ConfigureAwait(false);
                if (operation == 2)
                    await _input.SkipAsync(6, ct).ConfigureAwait(false);
                else if (operation > 2)
                    throw new InvalidDataException($"Unknown QEMU audio operation {operation}.");
                break;
            default:
                throw new InvalidDataException($"Unknown QEMU client message {subtype}.");
        }
    }

    private async Task ReadCutTextAsync(int length, CancellationToken ct)
    {
        // A negative length announces the extended-clipboard format (noVNC with QEMU's clipboard=vnc).
        var size = length < 0 ? -(long)length : length;
        if (size > MaxCutText)
            throw new InvalidDataException("Client cut text too large.");
        var data = new byte[size];
        await _input.ReadExactlyAsync(data, ct).ConfigureAwait(false);
        display.RecordCutText(length >= 0 ? Encoding.Latin1.GetString(data) : DescribeExtendedClipboard(data));
    }

    private static string DescribeExtendedClipboard(byte[] data)
    {
        if (data.Length < 4)
            return "extended (truncated)";
        var flags = BinaryPrimitives.ReadUInt32BigEndian(data);
        if ((flags & ExtendedClipboardProvide) == 0 || (flags & ExtendedClipboardText) == 0)
            return string.Create(CultureInfo.InvariantCulture, $"extended 0x{flags:x8}");
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(data, 4, data.Length - 4), CompressionMode.Decompress);
            var lengthBytes = new byte[4];
            zlib.ReadExactly(lengthBytes);
            var textLength = BinaryPrimitives.ReadUInt32BigEndian(lengthBytes);
            if (textLength > MaxCutText)
                return "extended provide (too large)";
            var text = new byte[textLength];
            zlib.ReadExactly(text);
            return Encoding.UTF8.GetString(text).TrimEnd('\0');
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            return "extended provide (undecodable)";
        }
    }

    private void Request(UpdateRequest request)
    {
        lock (_gate)
            _pending = _pending is { } p ? new UpdateRequest(p.Incremental && request.Incremental, p.Area.Union(request.Area)) : request;
        _wake.Writer.TryWrite(true);
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        var screen = new PixelRect(0, 0, GuestDisplay.Width, GuestDisplay.Height);
        long sent = -1;
        while (true)
        {
            _wake.Reader.TryRead(out _);
            var frame = display.Refresh();
            PixelRect area = default;
            PixelFormat format;
            var send = false;
            lock (_gate)
            {
                format = _format;
                if (_pending is { } request)
                {
                    var full = !request.Incremental || _formatChanged || sent < 0;
                    if (full)
                        area = request.Area.Intersect(screen);
                    else if (frame.Version != sent)
                        area = display.ChangedSince(sent).Intersect(request.Area);
                    send = full || !area.IsEmpty;
                    if (send)
                    {
                        _pending = null;
                        _formatChanged = false;
                    }
                    else
                    {
                        sent = frame.Version;
                    }
                }
            }

            if (send)
            {
                await SendRawAsync(frame, area, format, ct).ConfigureAwait(false);
                sent = frame.Version;
                continue;
            }

            await WaitForWorkAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sleeps until a client request, a change of the picture, or the next tick of the clock.</summary>
    private async Task WaitForWorkAsync(CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var now = clock.GetUtcNow();
        var nextSecond = TimeSpan.FromMilliseconds(1000 - now.Millisecond);
        var request = _wake.Reader.WaitToReadAsync(wait.Token).AsTask();
        var tick = Task.Delay(nextSecond, clock, wait.Token);
        await Task.WhenAny(request, tick, display.Changed).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        await Task.WhenAll(Quiet(request), Quiet(tick)).ConfigureAwait(false);
    }

    private async Task SendRawAsync(DisplayFrame frame, PixelRect area, PixelFormat format, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(WriteChunk);
        try
        {
            buffer[0] = 0; // FramebufferUpdate
            buffer[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), area.IsEmpty ? (ushort)0 : (ushort)1);
            var used = 4;
            if (!area.IsEmpty)
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(4), (ushort)area.X);
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(6), (ushort)area.Y);
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(8), (ushort)area.Width);
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(10), (ushort)area.Height);
                BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(12), 0); // Raw
                used = 16;
                var rowBytes = area.Width * format.BytesPerPixel;
                for (var y = area.Y; y < area.Y + area.Height; y++)
                {
                    if (used + rowBytes > WriteChunk)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, used), ct).ConfigureAwait(false);
                        used = 0;
                    }

                    EncodeRow(frame.Pixels.AsSpan(y * GuestDisplay.Width + area.X, area.Width), format, buffer.AsSpan(used, rowBytes));
                    used += rowBytes;
                }
            }

            await stream.WriteAsync(buffer.AsMemory(0, used), ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void EncodeRow(ReadOnlySpan<uint> pixels, PixelFormat format, Span<byte> target)
    {
        // QEMU's own format is the display's 0x00RRGGBB in little-endian order: a copy, not a per-pixel encode, so a
        // relay benchmark's bulk updates measure the relay and not this encoder.
        if (format == PixelFormat.ServerDefault && BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<byte, uint>(target);
            for (var x = 0; x < pixels.Length; x++)
                words[x] = pixels[x] & 0x00FF_FFFF;
            return;
        }

        var size = format.BytesPerPixel;
        for (var x = 0; x < pixels.Length; x++)
            format.Encode(pixels[x], target.Slice(x * size, size));
    }

    private async Task WriteAsync(byte[] data, CancellationToken ct)
    {
        await stream.WriteAsync(data, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static void CancelQuietly(CancellationTokenSource source)
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

    private static async Task Quiet(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OperationCanceledException or InvalidDataException or ObjectDisposedException)
        {
            // The other half of the session decides how it ended.
        }
    }

    private readonly record struct UpdateRequest(bool Incremental, PixelRect Area);

    [LoggerMessage(Level = LogLevel.Debug, Message = "RFB session ended: {Reason}")]
    private static partial void LogSessionEnded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "RFB authentication failed (password expired: {Expired})")]
    private static partial void LogAuthenticationFailed(ILogger logger, bool expired);

    [LoggerMessage(Level = LogLevel.Information, Message = "RFB shared client refused: an exclusive client is connected")]
    private static partial void LogRefusedShared(ILogger logger);
}
