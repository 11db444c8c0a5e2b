using System.Buffers.Binary;

namespace Nexus.Simulator.Consoles.Rfb;

/// <summary>The RFB PIXEL_FORMAT structure (RFC 6143 §7.4), true colour only.</summary>
internal readonly record struct PixelFormat(
    byte BitsPerPixel, byte Depth, bool BigEndian, bool TrueColour,
    ushort RedMax, ushort GreenMax, ushort BlueMax, byte RedShift, byte GreenShift, byte BlueShift)
{
    public const int Size = 16;

    /// <summary>What QEMU announces in ServerInit: 32 bpp, depth 24, little-endian xRGB.</summary>
    public static PixelFormat ServerDefault { get; } = new(32, 24, false, true, 255, 255, 255, 16, 8, 0);

    public int BytesPerPixel => BitsPerPixel / 8;

    /// <summary>Whether this server can encode pixels in the format (QEMU also refuses other depths).</summary>
    public bool IsSupported => BitsPerPixel is 8 or 16 or 32 && TrueColour
        && Fits(RedMax, RedShift) && Fits(GreenMax, GreenShift) && Fits(BlueMax, BlueShift);

    public static PixelFormat Read(ReadOnlySpan<byte> s) => new(
        s[0], s[1], s[2] != 0, s[3] != 0,
        BinaryPrimitives.ReadUInt16BigEndian(s[4..]), BinaryPrimitives.ReadUInt16BigEndian(s[6..]),
        BinaryPrimitives.ReadUInt16BigEndian(s[8..]), s[10], s[11], s[12]);

    public void Write(Span<byte> s)
    {
        s[..Size].Clear();
        s[0] = BitsPerPixel;
        s[1] = Depth;
        s[2] = BigEndian ? (byte)1 : (byte)0;
        s[3] = TrueColour ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(s[4..], RedMax);
        BinaryPrimitives.WriteUInt16BigEndian(s[6..], GreenMax);
        BinaryPrimitives.WriteUInt16BigEndian(s[8..], BlueMax);
        s[10] = RedShift;
        s[11] = GreenShift;
        s[12] = BlueShift;
    }

    /// <summary>Encodes one 0x00RRGGBB pixel into <paramref name="target"/> (BytesPerPixel bytes).</summary>
    public void Encode(uint rgb, Span<byte> target)
    {
        var value = Scale(rgb >> 16, RedMax) << RedShift | Scale(rgb >> 8, GreenMax) << GreenShift | Scale(rgb, BlueMax) << BlueShift;
        switch (BitsPerPixel)
        {
            case 8:
                target[0] = (byte)value;
                break;
            case 16 when BigEndian:
                BinaryPrimitives.WriteUInt16BigEndian(target, (ushort)value);
                break;
            case 16:
                BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)value);
                break;
            case 32 when BigEndian:
                BinaryPrimitives.WriteUInt32BigEndian(target, value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(target, value);
                break;
        }
    }

    private bool Fits(ushort max, byte shift) => max > 0 && shift < BitsPerPixel && ((ulong)max << shift) <= (1UL << BitsPerPixel) - 1;

    private static uint Scale(uint channel, ushort max) => ((channel & 0xFF) * max + 127) / 255;
}
