using System.Buffers;
using System.Buffers.Binary;

namespace Nexus.Relay.Policy;

/// <summary>What one <see cref="ClientMessageFilter.Filter"/> call produced.</summary>
/// <param name="Written">Bytes written to the output (to forward to Proxmox).</param>
/// <param name="InputMessages">User-input messages seen (key, pointer, cut-text, power), dropped or not: presence for the idle timer.</param>
/// <param name="DroppedMessages">Messages the policy removed.</param>
/// <param name="Violation">Set when the stream cannot be parsed safely; the session must end (4003).</param>
internal readonly record struct FilterResult(int Written, int InputMessages, int DroppedMessages, string? Violation);

/// <summary>
/// An incremental parser of the client→server RFB stream (after ClientInit) that enforces a <see cref="ConsolePolicy"/>.
/// Client message lengths are deterministic from their headers, so the parser never buffers more than a header, except
/// for a SetEncodings it must rewrite (at most <see cref="MaxEncodings"/>). Messages may be split across WebSocket
/// frames anywhere. An unknown message type ends the session instead of guessing a length: a desynchronised parser
/// would let input through a view-only session. Hand-written: no RFB library for .NET parses a client stream
/// incrementally, and the message table is small.
/// </summary>
internal sealed class ClientMessageFilter(ConsolePolicy policy)
{
    /// <summary>A SetEncodings we rewrite carries at most this many encodings (noVNC sends about 20; u16 allows 65535).</summary>
    public const int MaxEncodings = 1024;

    /// <summary>
    /// How far output may run ahead of input: the most bytes held back from earlier calls (a whole SetEncodings).
    /// The output may alias the input when it starts this many bytes before it.
    /// </summary>
    public const int Headroom = 4 + (4 * MaxEncodings);

    /// <summary>The ExtendedClipboard pseudo-encoding: QEMU exchanges its clipboard only with clients that announce it.</summary>
    internal const int ExtendedClipboardEncoding = unchecked((int)0xC0A1E5CE);

    private const uint ClipboardCaps = 1u << 24;
    private const uint ClipboardRequest = 1u << 25;
    private const uint ClipboardPeek = 1u << 26;
    private const uint ClipboardNotify = 1u << 27;
    private const uint ClipboardProvide = 1u << 28;
    private const int MaxHeader = 12;

    private readonly byte[] _header = new byte[MaxHeader];
    private int _headerLength;
    private long _remaining;
    private bool _forward;
    private byte[]? _held;
    private int _heldLength;

    /// <summary>
    /// Parses <paramref name="input"/> and writes what may pass to <paramref name="output"/>, which must hold
    /// <c>input.Length + Headroom</c> bytes.
    /// </summary>
    public FilterResult Filter(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int read = 0, written = 0, inputs = 0, dropped = 0;
        while (read < input.Length)
        {
            if (_remaining > 0)
            {
                var n = (int)Math.Min(_remaining, input.Length - read);
                if (_held is not null)
                {
                    input.Slice(read, n).CopyTo(_held.AsSpan(_heldLength));
                    _heldLength += n;
                }
                else if (_forward)
                {
                    input.Slice(read, n).CopyTo(output[written..]);
                    written += n;
                }
                read += n;
                _remaining -= n;
                if (_remaining == 0 && _held is not null)
                {
                    written += FlushEncodings(output[written..]);
                }
                continue;
            }

            _header[_headerLength++] = input[read++];
            var message = Classify(_header.AsSpan(0, _headerLength));
            if (message.Violation is not null)
            {
                return new FilterResult(written, inputs, dropped, message.Violation);
            }
            if (message.Total == 0)
            {
                continue; // header incomplete
            }

            inputs += message.IsInput ? 1 : 0;
            dropped += message.Forward ? 0 : 1;
            _remaining = message.Total - _headerLength;
            _forward = message.Forward;
            if (message.Rewrite)
            {
                _held = ArrayPool<byte>.Shared.Rent((int)message.Total);
                _header.AsSpan(0, _headerLength).CopyTo(_held);
                _heldLength = _headerLength;
                if (_remaining == 0)
                {
                    written += FlushEncodings(output[written..]);
                }
            }
            else if (_forward)
            {
                _header.AsSpan(0, _headerLength).CopyTo(output[written..]);
                written += _headerLength;
            }
            _headerLength = 0;
        }
        return new FilterResult(written, inputs, dropped, null);
    }

    private readonly record struct Message(long Total, bool Forward, bool IsInput = false, bool Rewrite = false, string? Violation = null)
    {
        public static Message NeedMore => default;

        public static Message Invalid(string reason) => new(0, false, Violation: reason);
    }

    private Message Classify(ReadOnlySpan<byte> header)
    {
        var control = !policy.ViewOnly;
        switch (header[0])
        {
            case 0: // SetPixelFormat
                return new Message(20, true);
            case 2: // SetEncodings: u8 pad, u16 count, s32 × count
                if (header.Length < 4)
                {
                    return Message.NeedMore;
                }
                var count = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
                if (policy.AllowsCopyOut)
                {
                    return new Message(4 + (4L * count), true);
                }
                return count > MaxEncodings
                    ? Message.Invalid("too many encodings")
                    : new Message(4 + (4L * count), true, Rewrite: true);
            case 3: // FramebufferUpdateRequest
                return new Message(10, true);
            case 4: // KeyEvent
                return new Message(8, control, IsInput: true);
            case 5: // PointerEvent
                return new Message(6, control, IsInput: true);
            case 6: // ClientCutText: 3 pad, s32 length; negative = extended clipboard, payload starts with u32 flags
                if (header.Length < 8)
                {
                    return Message.NeedMore;
                }
                var length = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
                if (length >= 0)
                {
                    return new Message(8L + length, policy.AllowsPaste, IsInput: true);
                }
                var size = -(long)length;
                if (size < 4)
                {
                    return new Message(8 + size, false); // malformed; QEMU would drop the client
                }
                if (header.Length < 12)
                {
                    return Message.NeedMore;
                }
                return new Message(8 + size, control && ExtendedClipboardAllowed(BinaryPrimitives.ReadUInt32BigEndian(header[8..])), IsInput: true);
            case 150: // EnableContinuousUpdates
                return new Message(10, true);
            case 248: // Fence: 3 pad, u32 flags, u8 length, payload ≤ 64
                if (header.Length < 9)
                {
                    return Message.NeedMore;
                }
                return header[8] > 64 ? Message.Invalid("fence payload too long") : new Message(9 + header[8], true);
            case 250: // XVP: pad, version, code (shutdown, reboot, reset)
                return new Message(4, control, IsInput: true);
            case 251: // SetDesktopSize: pad, u16 w, u16 h, u8 screens, pad, 16 × screens
                if (header.Length < 8)
                {
                    return Message.NeedMore;
                }
                return new Message(8 + (16L * header[6]), control);
            case 255: // QEMU
                if (header.Length < 2)
                {
                    return Message.NeedMore;
                }
                switch (header[1])
                {
                    case 0: // extended key event: u16 down, u32 keysym, u32 scancode
                        return new Message(12, control, IsInput: true);
                    case 1: // audio: u16 operation (0 enable, 1 disable, 2 set format + u8 fmt, u8 channels, u32 freq)
                        if (header.Length < 4)
                        {
                            return Message.NeedMore;
                        }
                        return BinaryPrimitives.ReadUInt16BigEndian(header[2..]) switch
                        {
                            0 or 1 => new Message(4, true),
                            2 => new Message(10, true),
                            _ => Message.Invalid("unsupported client message"),
                        };
                    default:
                        return Message.Invalid("unsupported client message");
                }
            default:
                return Message.Invalid("unsupported client message");
        }
    }

    private bool ExtendedClipboardAllowed(uint flags)
    {
        if ((flags & (ClipboardProvide | ClipboardNotify)) != 0)
        {
            return policy.AllowsPaste;
        }
        if ((flags & (ClipboardRequest | ClipboardPeek)) != 0)
        {
            return policy.AllowsCopyOut;
        }
        return (flags & ClipboardCaps) != 0 && (policy.AllowsPaste || policy.AllowsCopyOut);
    }

    /// <summary>Writes the held SetEncodings without the ExtendedClipboard pseudo-encoding.</summary>
    private int FlushEncodings(Span<byte> output)
    {
        var held = _held!;
        var source = held.AsSpan(0, _heldLength);
        output[0] = source[0];
        output[1] = source[1];
        var kept = 0;
        for (var offset = 4; offset + 4 <= source.Length; offset += 4)
        {
            if (BinaryPrimitives.ReadInt32BigEndian(source[offset..]) != ExtendedClipboardEncoding)
            {
                source.Slice(offset, 4).CopyTo(output[(4 + (4 * kept))..]);
                kept++;
            }
        }
        BinaryPrimitives.WriteUInt16BigEndian(output[2..], (ushort)kept);
        ArrayPool<byte>.Shared.Return(held);
        _held = null;
        _heldLength = 0;
        return 4 + (4 * kept);
    }
}
