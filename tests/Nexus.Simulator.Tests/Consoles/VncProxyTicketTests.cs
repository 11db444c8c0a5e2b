using Nexus.Simulator.Consoles;

namespace Nexus.Simulator.Tests.Consoles;

public sealed class VncProxyTicketTests
{
    [Fact]
    public async Task Modern_ticket_is_prefixed_with_an_8_character_password_and_the_port_is_in_range()
    {
        await using var host = await ConsoleTestHost.StartAsync();

        var grant = host.Reserve();

        Assert.InRange(grant.Port, 5900, 5999);
        Assert.Equal(8, grant.Password.Length);
        Assert.All(grant.Password, c => Assert.InRange(c, '\x21', '\x60'));
        Assert.StartsWith(grant.Password + ":PVEVNC:", grant.Ticket, StringComparison.Ordinal);
        Assert.Matches("^.{8}:PVEVNC:[0-9A-F]{8}::[A-Za-z0-9+/=]+$", grant.Ticket);
    }

    [Fact]
    public async Task Legacy_ticket_is_bare_and_its_first_8_characters_are_the_vnc_password()
    {
        await using var host = await ConsoleTestHost.StartAsync(clock => new ClusterConsoleOptions { Clock = clock, LegacyTicketStyle = true });

        var grant = host.Reserve();
        Assert.Equal(grant.Ticket[..8], grant.Password);
        Assert.Matches("^PVEVNC:[0-9A-F]{8}::[A-Za-z0-9+/=]+$", grant.Ticket);

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        Assert.Equal(101, ws.Status);
        var rfb = new RfbTestClient(new RawWebSocketTransport(ws));
        Assert.Equal([2], await rfb.StartAsync());
        Assert.Null(await rfb.AuthenticateAsync(grant.Ticket));
    }

    [Fact]
    public async Task Ticket_is_accepted_while_younger_than_40_seconds()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();

        host.Clock.Advance(TimeSpan.FromSeconds(38)); // a second of real time may pass before the check

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        Assert.Equal(101, ws.Status);
    }

    [Fact]
    public async Task Ticket_older_than_40_seconds_is_refused_with_a_proxmox_error_instead_of_101()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();

        host.Clock.Advance(TimeSpan.FromSeconds(41));

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        AssertInvalidTicket(ws);
    }

    [Fact]
    public async Task Ticket_more_than_20_seconds_in_the_future_is_refused()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();

        host.Clock.Advance(TimeSpan.FromSeconds(-21));

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        AssertInvalidTicket(ws);
    }

    [Fact]
    public async Task Ticket_of_another_principal_is_refused()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve(principal: "root@pam!nexus");

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), "root@pam!other");
        AssertInvalidTicket(ws);
    }

    [Fact]
    public async Task Ticket_for_another_port_is_refused()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        var other = host.Reserve();

        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant, port: other.Port), ConsoleTestHost.Principal);
        AssertInvalidTicket(ws);
    }

    [Fact]
    public async Task Ticket_for_another_vm_is_refused()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        host.Reserve(ConsoleTestHost.Guest with { Vmid = 101, Name = "db01" });

        var path = host.PathFor(grant, ConsoleTestHost.Guest with { Vmid = 101 });
        await using var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, path, ConsoleTestHost.Principal);
        AssertInvalidTicket(ws);
    }

    [Fact]
    public async Task Port_accepts_exactly_one_connection()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();

        await using var first = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        await using var second = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);

        Assert.Equal(101, first.Status);
        Assert.True(second.Dropped, $"second connection got {second.Status} {second.Reason}");
    }

    [Fact]
    public async Task Unused_port_ends_the_task_with_connection_timed_out_and_is_freed()
    {
        await using var host = await ConsoleTestHost.StartAsync(clock => new ClusterConsoleOptions
        {
            Clock = clock,
            AcceptTimeout = TimeSpan.FromMilliseconds(300),
        });
        var grant = host.Reserve();

        Assert.Equal("connection timed out", await host.WaitForFinishAsync(TimeSpan.FromSeconds(5)));
        await using var late = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal);
        Assert.True(late.Dropped);
        Assert.Equal(grant.Port, host.Reserve().Port);
    }

    [Fact]
    public async Task A_node_has_100_console_ports_and_the_101st_reservation_fails()
    {
        await using var host = await ConsoleTestHost.StartAsync();

        var ports = Enumerable.Range(0, 100).Select(_ => host.Reserve().Port).ToList();

        Assert.Equal(Enumerable.Range(5900, 100), ports.Order());
        var error = Assert.Throws<ConsoleException>(() => host.Reserve());
        Assert.Equal(500, error.StatusCode);
        Assert.Equal("unable to find free port (5900-5999)", error.Message);
        Assert.Equal(5900, host.Reserve(ConsoleTestHost.Guest with { Node = "pve2" }).Port);
    }

    [Fact]
    public async Task Finished_session_frees_its_port_and_reports_ok()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        var grant = host.Reserve();
        await using (var ws = await RawWebSocketClient.ConnectAsync(host.BaseUri, host.PathFor(grant), ConsoleTestHost.Principal))
        {
            Assert.Equal(101, ws.Status);
        }

        Assert.Equal("OK", await host.WaitForFinishAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(grant.Port, host.Reserve().Port);
    }

    private static void AssertInvalidTicket(RawWebSocketClient ws)
    {
        Assert.Equal(500, ws.Status);
        Assert.Equal("permission denied - invalid PVEVNC ticket", ws.Reason);
    }
}
