using Nexus.Relay.Closing;
using Nexus.Relay.Policy;
using Nexus.Relay.Tests.Support;

namespace Nexus.Relay.Tests.Relaying;

/// <summary>A browser-side RFB client through the relay to the simulated Proxmox VE console, end to end.</summary>
[Collection(RelayCollection.Name)]
public sealed class ConsoleRelayTests(RelayFixture fixture)
{
    [Fact]
    public async Task Browser_is_offered_security_type_None_only_and_sees_the_VM_screen()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));

        var init = await client.HandshakeAsync();
        var pixels = await client.RequestFullUpdateAsync();

        Assert.Equal([(byte)1], client.SecurityTypes);
        Assert.Equal("binary", client.Socket.SubProtocol);
        Assert.Equal(guest.Name, init.Name);
        Assert.Equal(init.Width * init.Height, pixels.Length);
        Assert.True(pixels.Distinct().Count() > 1, "the framebuffer should show the VM's screen, not a uniform fill");
    }

    [Fact]
    public async Task Typed_keys_reach_the_guest_and_show_in_the_heartbeat()
    {
        var guest = fixture.FreshGuest();
        var (id, session) = fixture.Register(fixture.OpenerFor(guest));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        await client.SendAsync(RfbTestClient.KeyEvent('h', down: true));
        await client.SendAsync(RfbTestClient.KeyEvent('h', down: false));
        await client.SendAsync(RfbTestClient.QemuKeyEvent('i', 0x17, down: true));
        await client.RequestFullUpdateAsync();

        var log = fixture.InputLog(guest);
        Assert.Contains(log, e => e.Kind == "key" && e.Detail == "down 0x0068 'h'");
        Assert.Contains(log, e => e.Kind == "key" && e.Detail == "up 0x0068 'h'");
        Assert.Contains(log, e => e.Kind == "key" && e.Detail == "down 0x0069 'i' scancode=0x17");
        Assert.True(fixture.Registry.TryGet(id, out var pump));
        var heartbeat = pump.Heartbeat;
        Assert.Equal(3, heartbeat.InputMessages);
        Assert.True(heartbeat.ProxmoxToBrowserBytes > 640 * 400 * 4, "the full update went through");
        Assert.True(heartbeat.BrowserToProxmoxBytes >= 8 + 8 + 12 + 10);
        Assert.True(heartbeat.LastInputAt > heartbeat.StartedAt);
    }

    [Fact]
    public async Task View_only_drops_keys_pointer_and_cut_text_before_they_reach_the_guest()
    {
        var guest = fixture.FreshGuest();
        var (id, session) = fixture.Register(fixture.OpenerFor(guest), new ConsolePolicy(ViewOnly: true));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        await client.SendAsync(RfbTestClient.KeyEvent('x', down: true));
        await client.SendAsync(RfbTestClient.QemuKeyEvent('y', 0x15, down: true));
        await client.SendAsync(RfbTestClient.PointerEvent(1, 10, 20));
        await client.SendAsync(RfbTestClient.CutText("rm -rf /"));
        var pixels = await client.RequestFullUpdateAsync();
        await client.DisposeAsync();
        var outcome = await RelayFixture.OutcomeAsync(session);

        Assert.NotEmpty(pixels);
        Assert.Empty(fixture.InputLog(guest));
        Assert.Equal(4, outcome.DroppedMessages);
        Assert.Equal(4, outcome.InputMessages);
    }

    [Fact]
    public async Task Clipboard_from_guest_only_drops_paste_but_lets_keys_through()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest), new ConsolePolicy(Clipboard: ClipboardPolicy.FromGuest));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        await client.SendAsync(RfbTestClient.CutText("secret"));
        await client.SendAsync(RfbTestClient.KeyEvent('k', down: true));
        await client.RequestFullUpdateAsync();

        var log = fixture.InputLog(guest);
        Assert.Contains(log, e => e.Kind == "key");
        Assert.DoesNotContain(log, e => e.Kind == "cut-text");
    }

    [Fact]
    public async Task Clipboard_both_ways_lets_paste_reach_the_guest()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest), new ConsolePolicy(Clipboard: ClipboardPolicy.Both));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        await client.SendAsync(RfbTestClient.CutText("hello guest"));
        await client.RequestFullUpdateAsync();

        Assert.Contains(fixture.InputLog(guest), e => e.Kind == "cut-text" && e.Detail == "hello guest");
    }

    [Fact]
    public async Task Shared_flag_is_forced_so_a_second_exclusive_client_does_not_kick_the_first()
    {
        var guest = fixture.FreshGuest();
        var (first, firstSession) = fixture.Register(fixture.OpenerFor(guest));
        var (second, _) = fixture.Register(fixture.OpenerFor(guest));
        await using var a = await RfbTestClient.ConnectAsync(fixture.Http1Url(first));
        await a.HandshakeAsync(shared: false);
        await using var b = await RfbTestClient.ConnectAsync(fixture.Http1Url(second));
        await b.HandshakeAsync(shared: false);

        // QEMU's allow-exclusive policy would have disconnected A when B joined exclusively.
        await b.RequestFullUpdateAsync();
        await a.SendAsync(RfbTestClient.KeyEvent('a', down: true));
        var pixels = await a.RequestFullUpdateAsync();

        Assert.NotEmpty(pixels);
        Assert.False(firstSession.Outcome.Task.IsCompleted);
        Assert.Contains(fixture.InputLog(guest), e => e.Detail == "down 0x0061 'a'");
    }

    [Fact]
    public async Task A_cluster_with_legacy_VNC_tickets_authenticates_with_the_ticket()
    {
        var guest = fixture.FreshGuest(legacy: true);
        var (id, _) = fixture.Register(fixture.OpenerFor(guest, legacy: true));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));

        var init = await client.HandshakeAsync();
        await client.SendAsync(RfbTestClient.KeyEvent('z', down: true));
        await client.RequestFullUpdateAsync();

        Assert.Equal(guest.Name, init.Name);
        Assert.Contains(fixture.InputLog(guest, legacy: true), e => e.Detail == "down 0x007a 'z'");
    }

    [Fact]
    public async Task Messages_split_across_frames_reach_the_guest_whole()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        var key = RfbTestClient.KeyEvent('s', down: true);
        var qemu = RfbTestClient.QemuKeyEvent('p', 0x19, down: true);
        var stream = key.Concat(qemu).Concat(RfbTestClient.PointerEvent(0, 300, 200)).ToArray();
        // Cuts inside the type byte's message, inside the QEMU sub-type header and inside the pointer event.
        foreach (var (from, to) in new[] { (0, 3), (3, 9), (9, 10), (10, 21), (21, stream.Length) })
        {
            await client.SendAsync(stream[from..to]);
        }
        await client.RequestFullUpdateAsync();

        var log = fixture.InputLog(guest);
        Assert.Contains(log, e => e.Detail == "down 0x0073 's'");
        Assert.Contains(log, e => e.Detail == "down 0x0070 'p' scancode=0x19");
        Assert.Contains(log, e => e.Kind == "pointer" && e.Detail == "x=300 y=200 buttons=0x00");
    }

    [Fact]
    public async Task Http2_websocket_over_tls_relays_the_console()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest));
        using var invoker = fixture.PinnedInvoker();
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http2Url(id), invoker, System.Net.HttpVersion.Version20);

        var init = await client.HandshakeAsync();
        await client.SendAsync(RfbTestClient.KeyEvent('2', down: true));
        var pixels = await client.RequestFullUpdateAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, client.Socket.HttpStatusCode);
        Assert.Equal(guest.Name, init.Name);
        Assert.True(pixels.Distinct().Count() > 1);
        Assert.Contains(fixture.InputLog(guest), e => e.Detail == "down 0x0032 '2'");
    }
}
