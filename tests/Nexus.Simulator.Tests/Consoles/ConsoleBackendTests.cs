using System.Net.Sockets;
using Nexus.Simulator.Consoles;

namespace Nexus.Simulator.Tests.Consoles;

/// <summary>The raw TCP back-end, the external back-end and the proxy's idle rule.</summary>
public sealed class ConsoleBackendTests
{
    [Fact]
    public async Task Raw_tcp_backend_serves_the_same_display_without_websocket_or_ticket()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var endpoint = host.Consoles.RawEndpoint(ConsoleTestHost.Guest);
        Assert.True(System.Net.IPAddress.IsLoopback(endpoint.Address));
        Assert.Equal(endpoint, host.Consoles.RawEndpoint(ConsoleTestHost.Guest));

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        var rfb = new RfbTestClient(new StreamTransport(tcp.GetStream()));
        Assert.Equal([1], await rfb.StartAsync());
        Assert.Null(await rfb.SelectNoneAsync());
        Assert.Equal("web01", (await rfb.InitAsync(shared: true)).Name);
        await rfb.SendKeyAsync(true, 'z');
        await rfb.RequestUpdateAsync(false, 0, 0, 640, 400);

        Assert.Equal(640 * 400 * 4, Assert.Single(await rfb.ReadUpdateAsync()).Pixels.Length);
        Assert.Contains(host.Consoles.InputLog(ConsoleTestHost.Guest), e => e.Detail == "down 0x007a 'z'");
    }

    [Fact]
    public async Task External_backend_gets_the_websocket_session_bytes()
    {
        // The external RFB server here is another simulated cluster's raw listener (security None, its own VM).
        await using var upstream = await ConsoleTestHost.StartAsync();
        var external = upstream.Consoles.RawEndpoint(ConsoleTestHost.Guest with { Name = "external-vm" });
        await using var host = await ConsoleTestHost.StartAsync(clock => new ClusterConsoleOptions
        {
            Clock = clock,
            ExternalVncBackend = $"127.0.0.1:{external.Port}",
        });
        var grant = host.Reserve();

        using var ws = await VncWebSocketFramingTests.ConnectClientWebSocketAsync(host, grant);
        var rfb = new RfbTestClient(new ClientWebSocketTransport(ws));
        Assert.Equal([1], await rfb.StartAsync());
        Assert.Null(await rfb.SelectNoneAsync());
        Assert.Equal("external-vm", (await rfb.InitAsync(shared: true)).Name);
        await rfb.SendKeyAsync(true, 'e');

        await RfbServerTests.WaitForAsync(() => upstream.Consoles.InputLog(ConsoleTestHost.Guest).Count == 1);
        Assert.Empty(host.Consoles.InputLog(ConsoleTestHost.Guest));
    }

    [Fact]
    public void External_backend_must_be_host_and_port()
    {
        Assert.Throws<ArgumentException>(() => ClusterConsoles.Create(new ClusterConsoleOptions { ExternalVncBackend = "localhost" }));
    }

    [Fact]
    public async Task Session_without_traffic_ends_after_the_idle_timeout()
    {
        await using var host = await ConsoleTestHost.StartAsync(clock => new ClusterConsoleOptions
        {
            Clock = clock,
            IdleTimeout = TimeSpan.FromMilliseconds(1500),
        });
        var grant = host.Reserve();
        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        var rfb = new RfbTestClient(new RawWebSocketTransport(ws));
        await rfb.StartAsync();
        Assert.Null(await rfb.AuthenticateAsync(grant.Password));
        await rfb.InitAsync(shared: true);

        var frames = await ws.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));

        Assert.DoesNotContain(frames, f => f.Opcode == 8);
        Assert.Equal("OK", await host.WaitForFinishAsync(TimeSpan.FromSeconds(5)));
    }
}
