using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Nexus.Simulator.Tests.Consoles;

/// <summary>What the server announced in ServerInit.</summary>
internal sealed record ServerInit(int Width, int Height, byte[] PixelFormat, string Name);

/// <summary>One rectangle of a FramebufferUpdate.</summary>
internal sealed record UpdateRect(int X, int Y, int Width, int Height, int Encoding, byte[] Pixels);

/// <summary>
/// An RFB 3.8 client written from RFC 6143 (and the VNC DES quirk), independent of the simulator's code.
/// </summary>
internal sealed class RfbTestClient(IRfbTransport transport)
{
    public int BytesPerPixel { get; private set; } = 4;

    /// <summary>Version exchange and security; returns the security types offered.</summary>
    public async Task<byte[]> StartAsync()
    {
        var version = await ReadAsync(12);
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(version));
        await transport.SendAsync(Encoding.ASCII.GetBytes("RFB 003.008\n"));
        var count = (await ReadAsync(1))[0];
        Assert.NotEqual(0, count);
        return await ReadAsync(count);
    }

    /// <summary>Security type 2; returns null on success or the server's failure reason.</summary>
    public async Task<string?> AuthenticateAsync(string password, Func<Task>? beforeResponse = null)
    {
        await transport.SendAsync([2]);
        var challenge = await ReadAsync(16);
        if (beforeResponse is not null)
            await beforeResponse();
        await transport.SendAsync(DesResponse(password, challenge));
        return await ReadSecurityResultAsync();
    }

    public async Task<string?> SelectNoneAsync()
    {
        await transport.SendAsync([1]);
        return await ReadSecurityResultAsync();
    }

    private async Task<string?> ReadSecurityResultAsync()
    {
        var result = BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(4));
        if (result == 0)
            return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(4));
        return Encoding.ASCII.GetString(await ReadAsync((int)length));
    }

    public async Task<ServerInit> InitAsync(bool shared)
    {
        await transport.SendAsync([shared ? (byte)1 : (byte)0]);
        var head = await ReadAsync(24);
        var nameLength = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20));
        var name = Encoding.UTF8.GetString(await ReadAsync((int)nameLength));
        return new ServerInit(BinaryPrimitives.ReadUInt16BigEndian(head), BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2)), head[4..20], name);
    }

    /// <summary>True-colour SetPixelFormat.</summary>
    public async Task SetPixelFormatAsync(byte bpp, byte depth, bool bigEndian, ushort redMax, ushort greenMax, ushort blueMax,
        byte redShift, byte greenShift, byte blueShift)
    {
        var message = new byte[20];
        message[0] = 0;
        message[4] = bpp;
        message[5] = depth;
        message[6] = bigEndian ? (byte)1 : (byte)0;
        message[7] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(8), redMax);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(10), greenMax);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(12), blueMax);
        message[14] = redShift;
        message[15] = greenShift;
        message[16] = blueShift;
        await transport.SendAsync(message);
        BytesPerPixel = bpp / 8;
    }

    public async Task SetEncodingsAsync(params int[] encodings)
    {
        var message = new byte[4 + 4 * encodings.Length];
        message[0] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)encodings.Length);
        for (var i = 0; i < encodings.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4 + 4 * i), encodings[i]);
        await transport.SendAsync(message);
    }

    public async Task RequestUpdateAsync(bool incremental, int x, int y, int width, int height)
    {
        var message = new byte[10];
        message[0] = 3;
        message[1] = incremental ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)x);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), (ushort)y);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(8), (ushort)height);
        await transport.SendAsync(message);
    }

    /// <summary>Reads one FramebufferUpdate; only Raw rectangles are expected from a server without other encodings.</summary>
    public async Task<List<UpdateRect>> ReadUpdateAsync()
    {
        var head = await ReadAsync(4);
        Assert.Equal(0, head[0]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2));
        var rects = new List<UpdateRect>();
        for (var i = 0; i < count; i++)
        {
            var r = await ReadAsync(12);
            var width = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(4));
            var height = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(6));
            var encoding = BinaryPrimitives.ReadInt32BigEndian(r.AsSpan(8));
            Assert.Equal(0, encoding);
            rects.Add(new UpdateRect(BinaryPrimitives.ReadUInt16BigEndian(r), BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(2)),
                width, height, encoding, await ReadAsync(width * height * BytesPerPixel)));
        }

        return rects;
    }

    public Task SendKeyAsync(bool down, uint keysym)
    {
        var message = new byte[8];
        message[0] = 4;
        message[1] = down ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), keysym);
        return transport.SendAsync(message);
    }

    public Task SendPointerAsync(byte buttons, int x, int y)
    {
        var message = new byte[6];
        message[0] = 5;
        message[1] = buttons;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)x);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), (ushort)y);
        return transport.SendAsync(message);
    }

    /// <summary>ClientCutText with a signed length: negative means an extended-clipboard payload.</summary>
    public Task SendCutTextAsync(byte[] payload, bool extended)
    {
        var message = new byte[8 + payload.Length];
        message[0] = 6;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), extended ? -payload.Length : payload.Length);
        payload.CopyTo(message, 8);
        return transport.SendAsync(message);
    }

    /// <summary>QEMU extended key event (message 255, subtype 0).</summary>
    public Task SendQemuKeyAsync(bool down, uint keysym, uint scancode)
    {
        var message = new byte[12];
        message[0] = 255;
        message[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), down ? (ushort)1 : (ushort)0);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), keysym);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), scancode);
        return transport.SendAsync(message);
    }

    public async Task<byte[]> ReadAsync(int count)
    {
        var buffer = new byte[count];
        await transport.ReadExactlyAsync(buffer);
        return buffer;
    }

    /// <summary>VNC authentication: DES-ECB of the challenge under the password's first 8 bytes, each bit-mirrored.</summary>
    public static byte[] DesResponse(string password, byte[] challenge)
    {
        var key = new byte[8];
        var bytes = Encoding.Latin1.GetBytes(password);
        for (var i = 0; i < Math.Min(8, bytes.Length); i++)
        {
            byte mirrored = 0;
            for (var bit = 0; bit < 8; bit++)
            {
                if ((bytes[i] & (1 << bit)) != 0)
                    mirrored |= (byte)(0x80 >> bit);
            }

            key[i] = mirrored;
        }

#pragma warning disable CA5351 // RFB's VNC authentication is DES by definition.
        using var des = DES.Create();
#pragma warning restore CA5351
        des.Key = key;
        return des.EncryptEcb(challenge, PaddingMode.None);
    }
}
