using System.Net.WebSockets;
using Nexus.Proxmox.Api.Models;
using Nexus.Relay.Closing;
using Nexus.Relay.Policy;
using Nexus.Relay.Registry;
using Nexus.Relay.Rfb;
using Nexus.Relay.Tests.Support;
using Nexus.Relay.Upstream;
using Nexus.Simulator.Faults;

namespace Nexus.Relay.Tests.Closing;

/// <summary>Every way a console ends reaches the browser as a close code and a short reason.</summary>
[Collection(RelayCollection.Name)]
public sealed class ConsoleCloseTests(RelayFixture fixture)
{
    [Fact]
    public async Task Proxmox_refusing_the_ticket_closes_with_4502_and_a_reason()
    {
        var guest = fixture.FreshGuest();
        UpstreamOpener forged = async ct =>
        {
            var proxy = await fixture.Connection.CreateVncProxyAsync(guest.Node, GuestType.Qemu, guest.Vmid, ct);
            var ticket = proxy.Value with { Ticket = proxy.Value.Ticket[..^4] + "AAAA" };
            return await ProxmoxUpstream.Attach(fixture.Connection, proxy.Endpoint, guest.Node, GuestType.Qemu, guest.Vmid, ticket)(ct);
        };
        var (id, session) = fixture.Register(forged);
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));

        var (code, reason) = await client.WaitForCloseAsync();
        var outcome = await RelayFixture.OutcomeAsync(session);

        Assert.Equal(4502, (int?)code);
        Assert.Equal("Proxmox refused the console (HTTP 500)", reason);
        Assert.Equal(CloseInitiator.Proxmox, outcome.Initiator);
        Assert.False(outcome.Relayed);
    }

    [Fact]
    public async Task Proxmox_refusing_connections_closes_with_4502()
    {
        var guest = fixture.FreshGuest();
        UpstreamOpener refused = async ct =>
        {
            var proxy = await fixture.Connection.CreateVncProxyAsync(guest.Node, GuestType.Qemu, guest.Vmid, ct);
            fixture.Cluster.Primary.Faults.Set(new FaultSettings { RefuseConnections = true });
            return await ProxmoxUpstream.Attach(fixture.Connection, proxy.Endpoint, guest.Node, GuestType.Qemu, guest.Vmid, proxy.Value)(ct);
        };
        var (id, _) = fixture.Register(refused);
        try
        {
            await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));

            var (code, reason) = await client.WaitForCloseAsync();

            Assert.Equal(4502, (int?)code);
            Assert.Equal("Proxmox unreachable", reason);
        }
        finally
        {
            fixture.Cluster.Primary.Faults.Clear();
        }
    }

    [Fact]
    public async Task A_wrong_VNC_password_closes_with_4502_and_Proxmox_reason()
    {
        var guest = fixture.FreshGuest();
        UpstreamOpener wrongPassword = async ct =>
        {
            var upstream = await fixture.OpenerFor(guest)(ct);
            return new UpstreamConsole(upstream.Socket, "not-it!!");
        };
        var (id, _) = fixture.Register(wrongPassword);
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));

        var (code, reason) = await client.WaitForCloseAsync();

        Assert.Equal(4502, (int?)code);
        Assert.Equal("Proxmox refused VNC authentication: Authentication failed", reason);
    }

    [Fact]
    public async Task Close_from_another_thread_reaches_the_browser_with_4030_and_its_reason()
    {
        var guest = fixture.FreshGuest();
        var (id, session) = fixture.Register(fixture.OpenerFor(guest));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        var closed = await Task.Run(() => fixture.Registry.TryClose(id, ConsoleClose.AdminDisconnect));
        var (code, reason) = await client.WaitForCloseAsync();
        var outcome = await RelayFixture.OutcomeAsync(session);

        Assert.True(closed);
        Assert.Equal(4030, (int?)code);
        Assert.Equal("disconnected by an administrator", reason);
        Assert.Equal(CloseInitiator.Control, outcome.Initiator);
        Assert.True(outcome.Relayed);
        Assert.False(fixture.Registry.TryGet(id, out _));
    }

    [Fact]
    public async Task A_silo_drain_closes_sessions_with_1012()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        var closed = fixture.Registry.CloseAll(ConsoleClose.SiloShuttingDown);
        var (code, _) = await client.WaitForCloseAsync();

        Assert.Equal(1, closed);
        Assert.Equal(1012, (int?)code);
    }

    [Fact]
    public async Task Draining_a_silo_closes_running_sessions_refuses_new_ones_and_waits_for_all()
    {
        var registry = new PumpRegistry(fixture.Registry.Options);
        var guest = fixture.FreshGuest();
        var (running, runningSession) = fixture.Register(fixture.OpenerFor(guest), registry: registry);
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(running));
        await client.HandshakeAsync();
        var opened = 0;
        var (late, lateSession) = fixture.Register(_ => { Interlocked.Increment(ref opened); return fixture.OpenerFor(guest)(default); }, registry: registry);

        var drain = registry.DrainAsync();
        var (code, reason) = await client.WaitForCloseAsync();
        await drain.WaitAsync(TimeSpan.FromSeconds(5));
        await using var lateClient = await RfbTestClient.ConnectAsync(fixture.Http1Url(late));
        var (lateCode, _) = await lateClient.WaitForCloseAsync();

        Assert.Equal(1012, (int?)code);
        Assert.Equal("server restarting, reconnect", reason);
        Assert.Equal(CloseInitiator.Control, (await RelayFixture.OutcomeAsync(runningSession)).Initiator);
        Assert.Equal(0, registry.Count);
        Assert.Equal(1012, (int?)lateCode);
        Assert.False((await RelayFixture.OutcomeAsync(lateSession)).Relayed);
        Assert.Equal(0, opened); // no Proxmox console was opened for a session refused by the drain
    }

    [Fact]
    public async Task A_session_without_input_is_closed_with_4008_even_while_it_watches_the_screen()
    {
        var guest = fixture.FreshGuest();
        // Long enough for a few update requests to be forwarded even when a loaded machine delays the watcher's loop.
        var (id, session) = fixture.Register(fixture.OpenerFor(guest), new ConsolePolicy(IdleTimeout: TimeSpan.FromMilliseconds(2000)));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        // Screen update requests are not input: a watcher who never touches anything is idle.
        using var watching = new CancellationTokenSource();
        var requests = Task.Run(async () =>
        {
            byte[] incremental = [3, 1, 0, 0, 0, 0, 2, 128, 1, 144];
            while (!watching.IsCancellationRequested && client.Socket.State == System.Net.WebSockets.WebSocketState.Open)
            {
                await client.Socket.SendAsync(incremental, WebSocketMessageType.Binary, true, CancellationToken.None);
                await Task.Delay(100);
            }
        });
        var (code, reason) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        await watching.CancelAsync();
        try
        {
            await requests;
        }
        catch (Exception e) when (e is WebSocketException or InvalidOperationException or ObjectDisposedException)
        {
            // A request raced the close.
        }
        var outcome = await RelayFixture.OutcomeAsync(session);

        Assert.Equal(4008, (int?)code);
        Assert.Equal("idle timeout", reason);
        Assert.Equal(CloseInitiator.Policy, outcome.Initiator);
        Assert.True(outcome.BrowserToProxmoxBytes >= 30, "update requests were forwarded while the session idled");
    }

    [Fact]
    public async Task Input_keeps_a_session_from_going_idle()
    {
        var guest = fixture.FreshGuest();
        var (id, session) = fixture.Register(fixture.OpenerFor(guest), new ConsolePolicy(IdleTimeout: TimeSpan.FromMilliseconds(1500)));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(250);
            await client.SendAsync(RfbTestClient.PointerEvent(0, (ushort)i, 1));
        }

        Assert.False(session.Outcome.Task.IsCompleted, "2 s with input every 250 ms must not trip a 1.5 s idle timeout");
    }

    [Fact]
    public async Task A_session_past_its_maximum_duration_is_closed_with_4010()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest), new ConsolePolicy(MaxDuration: TimeSpan.FromSeconds(1)));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();
        await client.SendAsync(RfbTestClient.KeyEvent('m', down: true));

        var (code, reason) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(4010, (int?)code);
        Assert.Equal("maximum session duration reached", reason);
    }

    [Fact]
    public async Task A_text_frame_is_closed_with_1003()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        await client.Socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var (code, _) = await client.WaitForCloseAsync();

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, code);
    }

    [Fact]
    public async Task An_unknown_client_message_is_closed_with_4003_rather_than_desynchronising()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest), new ConsolePolicy(ViewOnly: true));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        await client.SendAsync([99, 4, 0, 0, 0, 0, 0, 0x61]);
        var (code, reason) = await client.WaitForCloseAsync();

        Assert.Equal(4003, (int?)code);
        Assert.Equal("unsupported client message", reason);
        Assert.Empty(fixture.InputLog(guest));
    }

    [Fact]
    public async Task A_browser_message_over_the_cap_is_closed_with_1009()
    {
        var guest = fixture.FreshGuest();
        var (id, _) = fixture.Register(fixture.OpenerFor(guest));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        var paste = RfbTestClient.CutText(new string('x', 300 * 1024));
        await client.SendAsync(paste);
        var (code, _) = await client.WaitForCloseAsync();

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, code);
    }

    [Fact]
    public async Task Proxmox_ending_the_console_closes_the_browser_with_1000()
    {
        var guest = fixture.FreshGuest();
        var (id, session) = fixture.Register(fixture.OpenerFor(guest));
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(id));
        await client.HandshakeAsync();

        // Someone opens the console directly (not through Nexus) as an exclusive client: QEMU drops every other
        // viewer, and pveproxy just closes the TCP stream without a Close frame.
        var direct = await fixture.OpenerFor(guest)(CancellationToken.None);
        using (direct)
        {
            await ExclusiveHandshakeAsync(direct);
            var (code, reason) = await client.WaitForCloseAsync();
            var outcome = await RelayFixture.OutcomeAsync(session);

            Assert.Equal(WebSocketCloseStatus.NormalClosure, code);
            Assert.Equal("console ended", reason);
            Assert.Equal(CloseInitiator.Proxmox, outcome.Initiator);
        }
    }

    [Fact]
    public async Task Neither_the_VNC_password_nor_the_ticket_reaches_a_log_line()
    {
        var guest = fixture.FreshGuest();
        var secrets = new System.Collections.Concurrent.ConcurrentBag<string>();
        UpstreamOpener recording = async ct =>
        {
            var proxy = await fixture.Connection.CreateVncProxyAsync(guest.Node, GuestType.Qemu, guest.Vmid, ct);
            secrets.Add(proxy.Value.Ticket);
            secrets.Add(proxy.Value.VncPassword);
            return await ProxmoxUpstream.Attach(fixture.Connection, proxy.Endpoint, guest.Node, GuestType.Qemu, guest.Vmid, proxy.Value)(ct);
        };
        UpstreamOpener forged = async ct =>
        {
            var proxy = await fixture.Connection.CreateVncProxyAsync(guest.Node, GuestType.Qemu, guest.Vmid, ct);
            var ticket = proxy.Value with { Ticket = proxy.Value.Ticket[..^4] + "AAAA" };
            secrets.Add(ticket.Ticket);
            secrets.Add(proxy.Value.VncPassword);
            return await ProxmoxUpstream.Attach(fixture.Connection, proxy.Endpoint, guest.Node, GuestType.Qemu, guest.Vmid, ticket)(ct);
        };
        var (good, goodSession) = fixture.Register(recording);
        var (bad, badSession) = fixture.Register(forged);
        await using (var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(good)))
        {
            await client.HandshakeAsync();
        }
        await using (var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(bad)))
        {
            await client.WaitForCloseAsync();
        }
        await RelayFixture.OutcomeAsync(goodSession);
        await RelayFixture.OutcomeAsync(badSession);

        var lines = fixture.Logs.Lines.ToArray();
        Assert.Contains(lines, l => l.Contains(good.ToString(), StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(bad.ToString(), StringComparison.Ordinal) && l.Contains("opening Proxmox failed", StringComparison.Ordinal));
        Assert.Equal(4, secrets.Count);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal)
                || l.Contains(Uri.EscapeDataString(secret), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_socket_without_a_claimed_session_is_rejected_with_4001()
    {
        await using var client = await RfbTestClient.ConnectAsync(fixture.Http1Url(Guid.NewGuid()));

        var (code, reason) = await client.WaitForCloseAsync();

        Assert.Equal(4001, (int?)code);
        Assert.Equal("token invalid or expired", reason);
    }

    [Fact]
    public void Close_reasons_are_cut_to_123_bytes_of_UTF8()
    {
        var close = new ConsoleClose(ConsoleCloseCode.ProxmoxUnreachable, "Proxmox refused VNC authentication: " + new string('é', 200));

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(close.Reason) <= 123);
        Assert.EndsWith("…", close.Reason, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConsoleClose((ConsoleCloseCode)1006, "abnormal"));
    }

    /// <summary>A raw RFB client on a Proxmox vncwebsocket that asks for exclusive access.</summary>
    private static async Task ExclusiveHandshakeAsync(UpstreamConsole upstream)
    {
        var socket = upstream.Socket;
        var buffer = new byte[4096];
        async Task<byte[]> Read(int count)
        {
            var result = new List<byte>();
            while (result.Count < count)
            {
                var r = await socket.ReceiveAsync(buffer.AsMemory(0, count - result.Count), CancellationToken.None);
                result.AddRange(buffer.AsSpan(0, r.Count).ToArray());
            }
            return [.. result];
        }
        Task Send(byte[] data) => socket.SendAsync(data, WebSocketMessageType.Binary, true, CancellationToken.None);

        await Read(12);
        await Send("RFB 003.008\n"u8.ToArray());
        var count = (await Read(1))[0];
        await Read(count);
        await Send([2]);
        var challenge = await Read(16);
        await Send(VncAuthentication.Respond(upstream.VncPassword, challenge));
        Assert.Equal(new byte[4], await Read(4));
        await Send([0]); // shared = 0: exclusive
        await Read(24);
    }
}
