using System.Net.WebSockets;
using System.Text.Json;

namespace Nexus.Simulator.Tests.Consoles;

/// <summary>pveproxy's websocket_proxy rules, seen from a client on the wire.</summary>
public sealed class VncWebSocketFramingTests
{
    private static readonly byte[] AnyMask = [0x12, 0x34, 0x56, 0x78];

    [Fact]
    public async Task Upgrade_echoes_the_requested_subprotocol_verbatim()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal, protocol: "binary, base64");

        Assert.Equal(101, ws.Status);
        Assert.Equal("websocket", ws.Headers["Upgrade"], ignoreCase: true);
        Assert.Equal("binary, base64", ws.Headers["Sec-WebSocket-Protocol"]);
    }

    [Fact]
    public async Task Upgrade_without_a_subprotocol_answers_without_one()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal, protocol: null);

        Assert.Equal(101, ws.Status);
        Assert.False(ws.Headers.ContainsKey("Sec-WebSocket-Protocol"));
    }

    [Fact]
    public async Task ClientWebSocket_connects_with_the_binary_subprotocol()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();

        using var ws = await ConnectClientWebSocketAsync(host, grant);

        Assert.Equal("binary", ws.SubProtocol);
        var rfb = new RfbTestClient(new ClientWebSocketTransport(ws));
        Assert.Equal([2], await rfb.StartAsync());
    }

    [Fact]
    public async Task Request_without_upgrade_headers_answers_the_port_as_a_string()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal, upgrade: "");

        Assert.Equal(200, ws.Status);
        using var body = JsonDocument.Parse(ws.Body);
        Assert.Equal(grant.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), body.RootElement.GetProperty("data").GetProperty("port").GetString());
    }

    [Fact]
    public async Task Unsupported_websocket_version_is_an_http_error()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal, version: "8");

        Assert.Equal(500, ws.Status);
        Assert.Equal("unsupported websocket-version '8'", ws.Reason);
    }

    [Fact]
    public async Task Fragmented_client_frame_drops_the_connection_without_a_close_frame()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        await using var ws = await UpgradedAsync(host);

        await ws.SendFrameAsync(0x02, [1, 2, 3], AnyMask); // binary, FIN clear

        AssertClosedWithoutCloseFrame(await ws.ReadUntilClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Client_frame_over_128_KiB_drops_the_connection()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        await using var ws = await UpgradedAsync(host);

        await ws.SendFrameAsync(0x82, new byte[16], AnyMask, declaredLength: 128 * 1024 + 1);

        AssertClosedWithoutCloseFrame(await ws.ReadUntilClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Client_frame_of_exactly_128_KiB_is_forwarded()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        var rfb = new RfbTestClient(new RawWebSocketTransport(ws));
        await rfb.StartAsync();
        Assert.Null(await rfb.AuthenticateAsync(grant.Password));
        await rfb.InitAsync(shared: true);

        var keyEvents = new byte[128 * 1024]; // 16384 KeyEvents (8 bytes each) releasing keysym 0x0041
        for (var i = 0; i < keyEvents.Length; i += 8)
        {
            keyEvents[i] = 4;
            keyEvents[i + 7] = 0x41;
        }

        await ws.SendFrameAsync(0x82, keyEvents, AnyMask);
        await rfb.RequestUpdateAsync(false, 0, 0, 1, 1);
        await rfb.ReadUpdateAsync();

        Assert.Contains(host.Consoles.InputLog(ConsoleTestHost.Guest), e => e.Kind == "key" && e.Detail.StartsWith("up 0x0041", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unmasked_client_frame_drops_the_connection()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        await using var ws = await UpgradedAsync(host);

        await ws.SendFrameAsync(0x82, [1, 2, 3], mask: null);

        AssertClosedWithoutCloseFrame(await ws.ReadUntilClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Frame_with_rsv_bits_drops_the_connection()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        await using var ws = await UpgradedAsync(host);

        await ws.SendFrameAsync(0xC2, [1, 2, 3], AnyMask); // FIN + RSV1 (permessage-deflate)

        AssertClosedWithoutCloseFrame(await ws.ReadUntilClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Client_close_frame_is_answered_by_a_tcp_close_and_no_close_frame()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        await using var ws = await UpgradedAsync(host);

        await ws.SendFrameAsync(0x88, [0x03, 0xE8], AnyMask);

        AssertClosedWithoutCloseFrame(await ws.ReadUntilClosedAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("OK", await host.WaitForFinishAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Ping_is_answered_with_a_pong_carrying_the_same_payload()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        await using var ws = await UpgradedAsync(host);
        var version = await ws.ReceiveFrameAsync();
        Assert.Equal(2, version!.Opcode);

        await ws.SendFrameAsync(0x89, [7, 8, 9], AnyMask);

        var pong = await ws.ReceiveFrameAsync();
        Assert.Equal(0xA, pong!.Opcode);
        Assert.Equal([7, 8, 9], pong.Payload);
    }

    [Fact]
    public async Task Text_frames_and_zero_masks_are_forwarded_as_raw_bytes()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        var transport = new RawWebSocketTransport(ws);
        await new RfbTestClient(transport).ReadAsync(12);

        await ws.SendFrameAsync(0x81, "RFB 003.008\n"u8.ToArray(), [0, 0, 0, 0]);

        var types = await new RfbTestClient(transport).ReadAsync(2);
        Assert.Equal([1, 2], types);
    }

    [Fact]
    public async Task Server_sends_only_unfragmented_binary_frames_of_at_most_128_KiB()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        var transport = new RawWebSocketTransport(ws);
        var rfb = new RfbTestClient(transport);
        await rfb.StartAsync();
        Assert.Null(await rfb.AuthenticateAsync(grant.Password));
        await rfb.InitAsync(shared: true);

        await rfb.RequestUpdateAsync(false, 0, 0, 640, 400); // 1 MB of 32-bpp Raw pixels
        await rfb.ReadUpdateAsync();

        Assert.True(transport.Frames.Sum(f => f.Payload.Length) > 1_000_000);
        Assert.All(transport.Frames, f =>
        {
            Assert.True(f.Fin);
            Assert.Equal(2, f.Opcode);
            Assert.InRange(f.Payload.Length, 1, 128 * 1024);
        });
    }

    private static async Task<RawWebSocketClient> UpgradedAsync(ConsoleTestHost host)
    {
        var grant = host.Reserve();
        var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        Assert.Equal(101, ws.Status);
        return ws;
    }

    internal static async Task<ClientWebSocket> ConnectClientWebSocketAsync(ConsoleTestHost host, Nexus.Simulator.Consoles.VncProxyGrant grant,
        Nexus.Simulator.Consoles.ConsoleGuest? guest = null)
    {
        var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("binary");
        ws.Options.SetRequestHeader("X-Test-Principal", ConsoleTestHost.Principal);
        var uri = new Uri($"ws://{host.BaseUri.Authority}{host.PathFor(grant, guest)}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await ws.ConnectAsync(uri, timeout.Token);
        return ws;
    }

    private static void AssertClosedWithoutCloseFrame(List<WireFrame> frames) =>
        Assert.DoesNotContain(frames, f => f.Opcode == 8);
}
