using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Nexus.Simulator.Consoles;

namespace Nexus.Simulator.Tests.Consoles;

/// <summary>The built-in QEMU-like RFB 3.8 server behind vncwebsocket, driven by a client written from the protocol.</summary>
public sealed class RfbServerTests
{
    [Fact]
    public async Task Client_authenticates_with_des_and_receives_a_framebuffer_showing_the_vm()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        using var ws = await VncWebSocketFramingTests.ConnectClientWebSocketAsync(host, grant);
        var rfb = new RfbTestClient(new ClientWebSocketTransport(ws));

        Assert.Equal([2], await rfb.StartAsync());
        Assert.Null(await rfb.AuthenticateAsync(grant.Password));
        var init = await rfb.InitAsync(shared: true);

        Assert.Equal((640, 400, "web01"), (init.Width, init.Height, init.Name));
        Assert.Equal(32, init.PixelFormat[0]);
        Assert.Equal(1, init.PixelFormat[3]); // true colour
        await rfb.SetPixelFormatAsync(32, 24, false, 255, 255, 255, 16, 8, 0);
        await rfb.SetEncodingsAsync(0, -223, unchecked((int)0xC0A1E5CE));
        await rfb.RequestUpdateAsync(false, 0, 0, 640, 400);
        var rect = Assert.Single(await rfb.ReadUpdateAsync());

        Assert.Equal((0, 0, 640, 400), (rect.X, rect.Y, rect.Width, rect.Height));
        Assert.True(DistinctPixels(rect.Pixels, 4) > 10, "the framebuffer should show more than a flat colour");
    }

    [Fact]
    public async Task Password_is_the_whole_ticket_prefix_so_old_clients_passing_the_ticket_still_work()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        using var ws = await VncWebSocketFramingTests.ConnectClientWebSocketAsync(host, grant);
        var rfb = new RfbTestClient(new ClientWebSocketTransport(ws));
        await rfb.StartAsync();

        Assert.Null(await rfb.AuthenticateAsync(grant.Ticket));
    }

    [Fact]
    public async Task Wrong_password_fails_with_a_reason_and_the_connection_ends()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        using var ws = await VncWebSocketFramingTests.ConnectClientWebSocketAsync(host, grant);
        var rfb = new RfbTestClient(new ClientWebSocketTransport(ws));
        await rfb.StartAsync();

        Assert.Equal("Authentication failed", await rfb.AuthenticateAsync("wrongpwd"));
        await Assert.ThrowsAnyAsync<IOException>(() => rfb.ReadAsync(1));
    }

    [Fact]
    public async Task Vnc_password_expires_30_seconds_after_the_reservation()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        using var ws = await VncWebSocketFramingTests.ConnectClientWebSocketAsync(host, grant);
        var rfb = new RfbTestClient(new ClientWebSocketTransport(ws));
        await rfb.StartAsync();

        var result = await rfb.AuthenticateAsync(grant.Password, () =>
        {
            host.Clock.Advance(TimeSpan.FromSeconds(31));
            return Task.CompletedTask;
        });

        Assert.Equal("Authentication failed", result);
    }

    [Fact]
    public async Task Typed_keys_reach_the_vm_and_change_the_picture()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var (_, rfb) = await OpenAsync(host);
        var before = await ReadPictureAsync(rfb);

        foreach (var key in "hi")
        {
            await rfb.SendKeyAsync(true, key);
            await rfb.SendKeyAsync(false, key);
        }

        await WaitForAsync(() => host.Consoles.InputLog(ConsoleTestHost.Guest).Count(e => e.Kind == "key") == 4);
        var after = await ReadPictureAsync(rfb);

        var keys = host.Consoles.InputLog(ConsoleTestHost.Guest).Where(e => e.Kind == "key").Select(e => e.Detail).ToList();
        Assert.Equal(["down 0x0068 'h'", "up 0x0068 'h'", "down 0x0069 'i'", "up 0x0069 'i'"], keys);
        // Below the clock (which changes anyway) only the typed keys can have altered the picture.
        var belowClock = 140 * 640 * 4;
        Assert.False(before.AsSpan(belowClock).SequenceEqual(after.AsSpan(belowClock)), "typed keys should be visible");
    }

    [Fact]
    public async Task Incremental_updates_arrive_as_the_clock_ticks()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var (_, rfb) = await OpenAsync(host);
        await rfb.RequestUpdateAsync(false, 0, 0, 640, 400);
        await rfb.ReadUpdateAsync();

        await rfb.RequestUpdateAsync(true, 0, 0, 640, 400);
        var rect = Assert.Single(await rfb.ReadUpdateAsync());

        Assert.True(rect.Width * rect.Height < 640 * 400, "an incremental update should carry only the changed band");
    }

    [Fact]
    public async Task Pointer_and_cut_text_events_are_recorded()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var (_, rfb) = await OpenAsync(host);

        await rfb.SendPointerAsync(1, 10, 20);
        await rfb.SendCutTextAsync(Encoding.Latin1.GetBytes("hello"), extended: false);
        await rfb.SendCutTextAsync(ExtendedClipboardProvide("grüße"), extended: true);
        await rfb.SendCutTextAsync([0x01, 0x00, 0x00, 0x01, 0, 0, 0x10, 0], extended: true); // caps
        await rfb.SendQemuKeyAsync(true, 0x61, 0x1E);

        await WaitForAsync(() => host.Consoles.InputLog(ConsoleTestHost.Guest).Count == 5);
        var log = host.Consoles.InputLog(ConsoleTestHost.Guest).Select(e => (e.Kind, e.Detail)).ToList();
        Assert.Equal(
        [
            ("pointer", "x=10 y=20 buttons=0x01"),
            ("cut-text", "hello"),
            ("cut-text", "grüße"),
            ("cut-text", "extended 0x01000001"),
            ("key", "down 0x0061 'a' scancode=0x1e"),
        ], log);
    }

    [Theory]
    [InlineData(8, 8, false, 7, 7, 3, 5, 2, 0)]
    [InlineData(16, 16, true, 31, 63, 31, 11, 5, 0)]
    [InlineData(16, 15, false, 31, 31, 31, 10, 5, 0)]
    [InlineData(32, 24, true, 255, 255, 255, 0, 8, 16)]
    public async Task Raw_updates_follow_the_clients_pixel_format(byte bpp, byte depth, bool bigEndian,
        ushort redMax, ushort greenMax, ushort blueMax, byte redShift, byte greenShift, byte blueShift)
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var (_, rfb) = await OpenAsync(host);

        await rfb.SetPixelFormatAsync(bpp, depth, bigEndian, redMax, greenMax, blueMax, redShift, greenShift, blueShift);
        await rfb.RequestUpdateAsync(false, 0, 360, 640, 40); // the colour bar at the bottom
        var rect = Assert.Single(await rfb.ReadUpdateAsync());

        Assert.Equal(640 * 40 * (bpp / 8), rect.Pixels.Length);
        // The first column of the bar is pure red: only the red channel is at its maximum.
        var first = ReadPixel(rect.Pixels, 0, bpp / 8, bigEndian);
        Assert.Equal((redMax, 0u, 0u), ((first >> redShift) & redMax, (first >> greenShift) & greenMax, (first >> blueShift) & blueMax));
        Assert.True(DistinctPixels(rect.Pixels, bpp / 8) > 3);
    }

    [Fact]
    public async Task Exclusive_client_disconnects_shared_ones_and_then_refuses_new_shared_ones()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var endpoint = host.Consoles.RawEndpoint(ConsoleTestHost.Guest);
        using var firstTcp = new System.Net.Sockets.TcpClient();
        await firstTcp.ConnectAsync(endpoint);
        var first = new RfbTestClient(new StreamTransport(firstTcp.GetStream()));
        await first.StartAsync();
        Assert.Null(await first.SelectNoneAsync());
        await first.InitAsync(shared: true);

        var (_, exclusive) = await OpenAsync(host, shared: false);

        await Assert.ThrowsAnyAsync<IOException>(() => first.ReadAsync(1));
        using var laterTcp = new System.Net.Sockets.TcpClient();
        await laterTcp.ConnectAsync(endpoint);
        var later = new RfbTestClient(new StreamTransport(laterTcp.GetStream()));
        await later.StartAsync();
        Assert.Null(await later.SelectNoneAsync());
        await Assert.ThrowsAnyAsync<IOException>(() => later.InitAsync(shared: true));
        await exclusive.RequestUpdateAsync(false, 0, 0, 1, 1);
        Assert.Single(await exclusive.ReadUpdateAsync());
    }

    [Fact]
    public async Task Lxc_console_uses_the_same_path()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var container = new ConsoleGuest("pve1", "lxc", 200, "ct200");
        var grant = host.Reserve(container);
        using var ws = await VncWebSocketFramingTests.ConnectClientWebSocketAsync(host, grant, container);
        var rfb = new RfbTestClient(new ClientWebSocketTransport(ws));
        await rfb.StartAsync();
        Assert.Null(await rfb.AuthenticateAsync(grant.Password));

        Assert.Equal("ct200", (await rfb.InitAsync(shared: true)).Name);
    }

    internal static async Task<(System.Net.WebSockets.ClientWebSocket Socket, RfbTestClient Rfb)> OpenAsync(ConsoleTestHost host, bool shared = true)
    {
        var grant = host.Reserve();
        var ws = await VncWebSocketFramingTests.ConnectClientWebSocketAsync(host, grant);
        var rfb = new RfbTestClient(new ClientWebSocketTransport(ws));
        await rfb.StartAsync();
        Assert.Null(await rfb.AuthenticateAsync(grant.Password));
        await rfb.InitAsync(shared);
        return (ws, rfb);
    }

    private static async Task<byte[]> ReadPictureAsync(RfbTestClient rfb)
    {
        await rfb.RequestUpdateAsync(false, 0, 0, 640, 400);
        return Assert.Single(await rfb.ReadUpdateAsync()).Pixels;
    }

    private static byte[] ExtendedClipboardProvide(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text + "\0");
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)utf8.Length);
            zlib.Write(length);
            zlib.Write(utf8);
        }

        var payload = new byte[4 + compressed.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, 0x10000001); // provide, text
        compressed.ToArray().CopyTo(payload, 4);
        return payload;
    }

    private static uint ReadPixel(byte[] pixels, int index, int size, bool bigEndian)
    {
        var span = pixels.AsSpan(index * size, size);
        return size switch
        {
            1 => span[0],
            2 => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span),
            _ => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span),
        };
    }

    private static int DistinctPixels(byte[] pixels, int size)
    {
        var distinct = new HashSet<uint>();
        for (var i = 0; i < pixels.Length / size; i++)
            distinct.Add(ReadPixel(pixels, i, size, false));
        return distinct.Count;
    }

    internal static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 250 && !condition(); i++)
            await Task.Delay(20);
        Assert.True(condition(), "condition not reached within 5 s");
    }
}
