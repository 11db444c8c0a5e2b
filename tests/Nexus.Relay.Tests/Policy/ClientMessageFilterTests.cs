using System.Buffers.Binary;
using Nexus.Relay.Policy;
using Nexus.Relay.Tests.Support;

namespace Nexus.Relay.Tests.Policy;

/// <summary>The client→server RFB parser, fed the way WebSockets deliver: cut anywhere.</summary>
public sealed class ClientMessageFilterTests
{
    private static readonly byte[] SetPixelFormat = [0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0];
    private static readonly byte[] UpdateRequest = [3, 1, 0, 0, 0, 0, 2, 128, 1, 144];
    private static readonly byte[] ContinuousUpdates = [150, 1, 0, 0, 0, 0, 2, 128, 1, 144];
    private static readonly byte[] Fence = [248, 0, 0, 0, 0, 0, 0, 3, 2, 0xAB, 0xCD];
    private static readonly byte[] AudioFormat = [255, 1, 0, 2, 3, 2, 0, 0, 0xAC, 0x44];
    private static readonly byte[] Xvp = [250, 0, 1, 2];
    private static readonly byte[] SetDesktopSize = [251, 0, 4, 0, 3, 0, 1, 0, .. new byte[16]];

    private static byte[] Encodings(params int[] encodings)
    {
        var message = new byte[4 + (4 * encodings.Length)];
        message[0] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)encodings.Length);
        for (var i = 0; i < encodings.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4 + (4 * i)), encodings[i]);
        }
        return message;
    }

    private static byte[] ExtendedClipboard(uint flags, params byte[] data)
    {
        var message = new byte[12 + data.Length];
        message[0] = 6;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), -(4 + data.Length));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), flags);
        data.CopyTo(message, 12);
        return message;
    }

    /// <summary>Runs the stream through a fresh filter in the given pieces; output concatenated, or the violation.</summary>
    private static (byte[] Output, int Dropped, string? Violation) Run(ConsolePolicy policy, byte[] stream, IEnumerable<int> cuts)
    {
        var filter = new ClientMessageFilter(policy);
        var output = new List<byte>();
        var dropped = 0;
        var from = 0;
        foreach (var to in cuts.Append(stream.Length))
        {
            // The pump's layout: output and input share one buffer, input Headroom bytes in.
            var buffer = new byte[ClientMessageFilter.Headroom + (to - from)];
            stream.AsSpan(from, to - from).CopyTo(buffer.AsSpan(ClientMessageFilter.Headroom));
            var result = filter.Filter(buffer.AsSpan(ClientMessageFilter.Headroom, to - from), buffer);
            output.AddRange(buffer.AsSpan(0, result.Written).ToArray());
            dropped += result.DroppedMessages;
            if (result.Violation is not null)
            {
                return ([.. output], dropped, result.Violation);
            }
            from = to;
        }
        return ([.. output], dropped, null);
    }

    [Fact]
    public void View_only_passes_every_non_input_message_and_drops_the_rest_at_every_cut()
    {
        byte[][] passing = [SetPixelFormat, Encodings(7, 16, 0, -223), UpdateRequest, ContinuousUpdates, Fence, AudioFormat];
        byte[][] input =
        [
            RfbTestClient.KeyEvent('a', true), RfbTestClient.PointerEvent(1, 2, 3), RfbTestClient.CutText("paste"),
            RfbTestClient.QemuKeyEvent('b', 0x30, true), Xvp, SetDesktopSize, ExtendedClipboard(1u << 28, 1, 2, 3),
        ];
        var stream = passing.Zip(input).SelectMany(p => p.First.Concat(p.Second)).ToArray();
        var expected = passing.SelectMany(m => m).ToArray();

        for (var cut = 0; cut <= stream.Length; cut++)
        {
            var (output, dropped, violation) = Run(new ConsolePolicy(ViewOnly: true), stream, [cut]);
            Assert.Null(violation);
            Assert.Equal(expected, output);
            Assert.Equal(6, dropped);
        }
        var bytewise = Run(new ConsolePolicy(ViewOnly: true), stream, Enumerable.Range(1, stream.Length - 1));
        Assert.Equal(expected, bytewise.Output);
    }

    [Fact]
    public void Full_control_passes_the_stream_unchanged_at_every_cut()
    {
        byte[][] messages =
        [
            SetPixelFormat, Encodings(7, ClientMessageFilter.ExtendedClipboardEncoding), RfbTestClient.KeyEvent('a', true),
            RfbTestClient.QemuKeyEvent('b', 0x30, false), Xvp, SetDesktopSize, RfbTestClient.CutText("x"), Fence,
            ExtendedClipboard(1u << 25, 0, 0, 0, 1),
        ];
        var stream = messages.SelectMany(m => m).ToArray();

        for (var cut = 0; cut <= stream.Length; cut++)
        {
            var (output, dropped, violation) = Run(ConsolePolicy.FullControl, stream, [cut, Math.Min(stream.Length, cut + 5)]);
            Assert.Null(violation);
            Assert.Equal(stream, output);
            Assert.Equal(0, dropped);
        }
    }

    [Fact]
    public void Blocking_copy_out_strips_the_extended_clipboard_encoding_even_when_SetEncodings_is_split()
    {
        var stream = Encodings(16, ClientMessageFilter.ExtendedClipboardEncoding, 7, -239).Concat(UpdateRequest).ToArray();
        var expected = Encodings(16, 7, -239).Concat(UpdateRequest).ToArray();

        for (var cut = 0; cut <= stream.Length; cut++)
        {
            var (output, _, violation) = Run(new ConsolePolicy(Clipboard: ClipboardPolicy.ToGuest), stream, [cut]);
            Assert.Null(violation);
            Assert.Equal(expected, output);
        }
    }

    [Fact]
    public void Extended_clipboard_messages_follow_the_direction_they_serve()
    {
        var provide = ExtendedClipboard(1u << 28 | 1, 9, 9);
        var request = ExtendedClipboard(1u << 25 | 1);

        Assert.Empty(Run(new ConsolePolicy(Clipboard: ClipboardPolicy.FromGuest), provide, []).Output);
        Assert.Equal(request, Run(new ConsolePolicy(Clipboard: ClipboardPolicy.FromGuest), request, []).Output);
        Assert.Equal(provide, Run(new ConsolePolicy(Clipboard: ClipboardPolicy.ToGuest), provide, []).Output);
        Assert.Empty(Run(new ConsolePolicy(Clipboard: ClipboardPolicy.ToGuest), request, []).Output);
        Assert.Empty(Run(new ConsolePolicy(Clipboard: ClipboardPolicy.None), provide.Concat(request).ToArray(), [5]).Output);
    }

    [Theory]
    [InlineData(new byte[] { 99 }, "unsupported client message")]
    [InlineData(new byte[] { 255, 7 }, "unsupported client message")]
    [InlineData(new byte[] { 255, 1, 0, 9 }, "unsupported client message")]
    [InlineData(new byte[] { 248, 0, 0, 0, 0, 0, 0, 0, 65 }, "fence payload too long")]
    public void A_message_the_parser_cannot_size_is_a_violation(byte[] stream, string violation)
    {
        var key = RfbTestClient.KeyEvent('q', true);

        var result = Run(ConsolePolicy.FullControl, key.Concat(stream).ToArray(), []);

        Assert.Equal(violation, result.Violation);
    }
}
