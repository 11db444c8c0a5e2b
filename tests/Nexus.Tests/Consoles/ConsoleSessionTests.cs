using System.Net;
using Nexus.Contracts.Consoles;
using Nexus.Contracts.Events;
using Nexus.Tests.Support;

namespace Nexus.Tests.Consoles;

/// <summary>
/// Consoles end to end: the API opens a session, a real RFB client speaks through the relay to the simulated VM, and
/// every way a session ends has its close code, its record and its audit rows. Host 0 captures its logs; host 1
/// caps idle time at 2 s and session length at 5 s.
/// </summary>
public sealed class ConsoleSessionTests(ConsoleSessionTests.World world) : IClassFixture<ConsoleSessionTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal ConsoleWorld W { get; private set; } = null!;
        internal CapturedLogs Logs { get; } = new();

        public async Task InitializeAsync() => W = await ConsoleWorld.StartAsync(2,
            i => i == 1
                ? ["--Nexus:Consoles:IdleTimeoutLimit=00:00:02", "--Nexus:Consoles:MaxDurationLimit=00:00:05"]
                : ["--Logging:LogLevel:Microsoft.AspNetCore=Trace", "--Logging:LogLevel:Nexus=Trace", "--Nexus:Consoles:AllowedOrigins:0=https://console.example"],
            Logs);

        public async Task DisposeAsync() => await W.DisposeAsync();
    }

    private const uint KeyA = 0x61;
    private ConsoleWorld W => world.W;

    [Fact]
    public async Task A_console_shows_the_framebuffer_typed_keys_reach_the_vm_and_it_ends_with_one_closed_record()
    {
        var guest = W.FreshGuest();
        var console = await W.OpenConsoleAsync(W.Admin, guest);
        Assert.Equal($"/api/consoles/{console.SessionId}/ws", console.WsPath);
        Assert.InRange(console.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.Zero, ConsoleWorld.TokenLifetime);

        await using (var client = await W.ConnectAsync(console))
        {
            Assert.Equal("nexus.console", client.Socket.SubProtocol);
            Assert.Equal(new byte[] { 1 }, client.SecurityTypes);
            var pixels = await client.FramebufferAsync();
            Assert.Equal(client.Screen.Width * client.Screen.Height * client.Screen.BitsPerPixel / 8, pixels.Length);
            Assert.Contains(pixels, b => b != 0);
            await client.TypeAsync(KeyA);
            await client.FramebufferAsync();
            Assert.Contains(W.InputLog(ConsoleCluster.Current, guest), e => e.Kind == "key" && e.Detail.Contains("0x0061", StringComparison.Ordinal));

            await W.Events.WaitForAsync<ConsoleSessionChanged>(c => c.SessionId == console.SessionId && c.State == ConsoleSessionState.Active, "active was published");
            var listed = await W.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{W.Tenant}/consoles");
            var row = Assert.Single(listed.EnumerateArray(), s => s.GetProperty("id").GetGuid() == console.SessionId);
            Assert.Equal("active", row.GetProperty("state").GetString());
            Assert.Equal(W.Hosts[0].Silo, row.GetProperty("pumpSilo").GetString());
            await client.CloseAsync();
        }

        var record = await W.ClosedRecordAsync(console.SessionId);
        Assert.Equal(1000, record["close_code"]);
        Assert.Equal(guest.Vmid, record["vmid"]);
        Assert.Equal(W.Admin.UserId, record["user_id"]);
        Assert.True((long)record["bytes_from_guest"]! > 1000);
        Assert.True((long)record["bytes_to_guest"]! > 0);
        Assert.NotNull(record["started_at"]);
        Assert.Equal("127.0.0.1", record["client_ip"]?.ToString());
        Assert.Single(await W.RowsAsync("SELECT id FROM nexus.console_sessions WHERE id = @id", ("id", console.SessionId)));
        Assert.Equal(1, await W.CountAuditAsync("console_opened", console.SessionId));
        Assert.Equal(1, await W.CountAuditAsync("console_closed", console.SessionId));
        await W.Events.WaitForAsync<ConsoleSessionChanged>(c => c.SessionId == console.SessionId && c.State == ConsoleSessionState.Closed && c.CloseCode == 1000,
            "closed was published");
        var after = await W.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{W.Tenant}/consoles");
        Assert.DoesNotContain(after.EnumerateArray(), s => s.GetProperty("id").GetGuid() == console.SessionId);
    }

    [Fact]
    public async Task View_only_keys_do_not_reach_the_vm_and_an_http2_websocket_works_the_same()
    {
        var guest = W.FreshGuest();
        var console = await W.OpenConsoleAsync(W.Admin, guest, viewOnly: true);
        await using var client = await W.ConnectAsync(console, http2: true);
        // RequestVersionExact 2.0 over cleartext: the handshake succeeded only as an HTTP/2 extended CONNECT.
        Assert.Equal("nexus.console", client.Socket.SubProtocol);
        await client.FramebufferAsync();
        await client.TypeAsync(KeyA);
        await client.FramebufferAsync();
        Assert.DoesNotContain(W.InputLog(ConsoleCluster.Current, guest), e => e.Kind == "key");
        await client.CloseAsync();
        var record = await W.ClosedRecordAsync(console.SessionId);
        Assert.Equal(true, record["view_only"]);
    }

    [Fact]
    public async Task A_token_works_once_expires_unused_and_a_wrong_or_missing_token_is_4001()
    {
        var console = await W.OpenConsoleAsync(W.Admin, W.FreshGuest());
        Assert.Equal("token invalid", await W.RefusedAsync(console.SessionId, "not-the-token", 4001));
        Assert.Equal("token invalid", await W.RefusedAsync(console.SessionId, null, 4001));
        await using (var first = await W.ConnectAsync(console))
        {
            Assert.Equal("token already used", await W.RefusedAsync(console.SessionId, console.Token, 4001, host: 1));
            await first.FramebufferAsync();
        }

        var unused = await W.OpenConsoleAsync(W.Admin, W.FreshGuest());
        await Task.Delay(ConsoleWorld.TokenLifetime + TimeSpan.FromMilliseconds(500));
        var reason = await W.RefusedAsync(unused.SessionId, unused.Token, 4001);
        Assert.Contains(reason, new[] { "token expired", "console session ended" });
        var record = await W.ClosedRecordAsync(unused.SessionId);
        Assert.Equal(4001, record["close_code"]);
        Assert.Null(record["started_at"]);
        Assert.True(await W.CountAuditAsync("console_denied", console.SessionId) >= 3);
    }

    [Fact]
    public async Task Another_users_stolen_token_is_4003_and_a_revoked_grant_is_4003_at_connect_while_a_missing_permission_is_403_at_open()
    {
        var owner = await W.NewUserAsync("owner");
        var thief = await W.NewUserAsync("thief");
        var viewer = await W.NewUserAsync("viewer");
        await W.AddMemberAsync(W.Tenant, owner.UserId, "manager");
        await W.AddMemberAsync(W.Tenant, viewer.UserId, "viewer");
        var foreign = await W.NewTenantAsync("Foreign");
        await W.AddMemberAsync(foreign, thief.UserId, "admin");

        var guest = W.FreshGuest();
        await W.TryOpenConsoleAsync(thief, guest, HttpStatusCode.NotFound);
        await W.TryOpenConsoleAsync(viewer, guest, HttpStatusCode.Forbidden);
        Assert.True(await W.CountAuditAsync("console_denied") >= 2);

        var console = await W.OpenConsoleAsync(owner, guest);
        Assert.Equal("token issued to another user", await W.RefusedAsync(console.SessionId, console.Token, 4003, bearer: thief.AccessToken));
        await using (var client = await W.ConnectAsync(console, bearer: owner.AccessToken))
        {
            await client.FramebufferAsync();
        }

        var granted = await W.NewUserAsync("granted");
        var grant = await W.Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{W.Tenant}/vm-grants",
            new { userId = granted.UserId, serverId = W.Servers[ConsoleCluster.Current], guestType = "qemu", vmId = guest.Vmid, permissions = new[] { "console" } },
            HttpStatusCode.Created);
        var opened = await W.OpenConsoleAsync(granted, guest);
        await W.Admin.CallAsync(HttpMethod.Delete, $"/api/tenants/{W.Tenant}/vm-grants/{grant.GetProperty("id").GetGuid()}", expected: HttpStatusCode.NoContent);
        Assert.Equal("console permission revoked", await W.RefusedAsync(opened.SessionId, opened.Token, 4003));
        Assert.Equal(4003, (await W.ClosedRecordAsync(opened.SessionId))["close_code"]);
    }

    [Fact]
    public async Task The_per_user_limit_refuses_an_open_with_429_until_a_session_closes()
    {
        var user = await W.NewUserAsync("limited");
        await W.AddMemberAsync(W.Tenant, user.UserId, "manager");
        var sessions = new List<OpenedConsole>();
        for (var i = 0; i < 3; i++)
        {
            sessions.Add(await W.OpenConsoleAsync(user, W.FreshGuest()));
        }
        var refused = await W.TryOpenConsoleAsync(user, W.FreshGuest(), HttpStatusCode.TooManyRequests);
        Assert.Contains("user", refused.GetProperty("detail").GetString());

        await W.Through(1, user).CallAsync(HttpMethod.Delete, $"/api/consoles/{sessions[0].SessionId}", expected: HttpStatusCode.NoContent);
        Assert.Equal(4030, (await W.ClosedRecordAsync(sessions[0].SessionId))["close_code"]);
        await W.OpenConsoleAsync(user, W.FreshGuest());
    }

    [Fact]
    public async Task The_tenants_console_limit_from_its_settings_refuses_an_open_with_429()
    {
        var tenant = await W.NewTenantAsync("Small");
        var server = await W.AddServerAsync(tenant, W.Cluster(ConsoleCluster.Current));
        await W.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new { consoleMaxSessionsPerTenant = 1 });
        var (first, second) = (W.FreshGuest(), W.FreshGuest());
        await W.Admin.CallAsync(HttpMethod.Post, "/api/consoles", new { serverId = server, type = "qemu", vmid = first.Vmid });
        var refused = await W.Admin.CallAsync(HttpMethod.Post, "/api/consoles", new { serverId = server, type = "qemu", vmid = second.Vmid },
            HttpStatusCode.TooManyRequests);
        Assert.Contains("tenant", refused.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Idle_time_closes_with_4008_and_the_maximum_duration_with_4010()
    {
        var idle = await W.OpenConsoleAsync(W.Through(1, W.Admin), W.FreshGuest());
        await using (var client = await W.ConnectAsync(idle, host: 1))
        {
            Assert.Equal(4008, (await client.WaitForCloseAsync(TimeSpan.FromSeconds(10))).Code);
        }
        Assert.Equal(4008, (await W.ClosedRecordAsync(idle.SessionId))["close_code"]);

        var busy = await W.OpenConsoleAsync(W.Through(1, W.Admin), W.FreshGuest());
        await using (var client = await W.ConnectAsync(busy, host: 1))
        {
            var closed = client.WaitForCloseAsync(TimeSpan.FromSeconds(12));
            var started = DateTime.UtcNow;
            while (!closed.IsCompleted && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
            {
                try
                {
                    await client.TypeAsync(0xffe1); // Shift: input, but nothing typed.
                }
                catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    break;
                }
                await Task.Delay(400);
            }
            Assert.Equal(4010, (await closed).Code);
        }
        Assert.Equal(4010, (await W.ClosedRecordAsync(busy.SessionId))["close_code"]);
    }

    [Fact]
    public async Task A_kill_through_another_host_closes_with_4030_and_only_admins_and_the_owner_may_kill()
    {
        var owner = await W.NewUserAsync("killee");
        var viewer = await W.NewUserAsync("bystander");
        await W.AddMemberAsync(W.Tenant, owner.UserId, "manager");
        await W.AddMemberAsync(W.Tenant, viewer.UserId, "viewer");
        var console = await W.OpenConsoleAsync(owner, W.FreshGuest());
        await using var client = await W.ConnectAsync(console);
        await client.FramebufferAsync();

        // A manager sees only their own sessions; the admin sees everyone's.
        var mine = await owner.CallAsync(HttpMethod.Get, $"/api/tenants/{W.Tenant}/consoles");
        Assert.Contains(mine.EnumerateArray(), s => s.GetProperty("id").GetGuid() == console.SessionId);
        var theirs = await viewer.CallAsync(HttpMethod.Get, $"/api/tenants/{W.Tenant}/consoles");
        Assert.DoesNotContain(theirs.EnumerateArray(), s => s.GetProperty("id").GetGuid() == console.SessionId);
        await W.Through(1, viewer).CallAsync(HttpMethod.Delete, $"/api/consoles/{console.SessionId}", expected: HttpStatusCode.Forbidden);

        await W.Through(1, W.Admin).CallAsync(HttpMethod.Delete, $"/api/consoles/{console.SessionId}", expected: HttpStatusCode.NoContent);
        var (code, reason) = await client.WaitForCloseAsync();
        Assert.Equal(4030, code);
        Assert.Equal("disconnected by an administrator", reason);
        Assert.Equal(4030, (await W.ClosedRecordAsync(console.SessionId))["close_code"]);
        Assert.Equal(1, await W.CountAuditAsync("console_killed", console.SessionId));
        await W.Admin.CallAsync(HttpMethod.Delete, $"/api/consoles/{console.SessionId}", expected: HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Signing_out_everywhere_closes_the_users_consoles_open_or_not_yet_connected_and_no_one_elses()
    {
        var user = await W.NewUserAsync("everywhere");
        var colleague = await W.NewUserAsync("colleague");
        await W.AddMemberAsync(W.Tenant, user.UserId, "manager");
        await W.AddMemberAsync(W.Tenant, colleague.UserId, "manager");
        var streaming = await W.OpenConsoleAsync(user, W.FreshGuest());
        await using var client = await W.ConnectAsync(streaming);
        await client.FramebufferAsync();
        var pending = await W.OpenConsoleAsync(user, W.FreshGuest());
        var others = await W.OpenConsoleAsync(colleague, W.FreshGuest());
        await using var otherClient = await W.ConnectAsync(others);
        await otherClient.FramebufferAsync();

        // Through the other host: the pump on the first one is reached through the session's grain.
        await W.Through(1, user).CallAsync(HttpMethod.Post, "/api/me/sign-out-everywhere", expected: HttpStatusCode.NoContent);

        Assert.Equal(4030, (await client.WaitForCloseAsync(TimeSpan.FromSeconds(10))).Code);
        Assert.Equal(4030, (await W.ClosedRecordAsync(streaming.SessionId))["close_code"]);
        Assert.Equal(4030, (await W.ClosedRecordAsync(pending.SessionId))["close_code"]);
        Assert.Equal(1, await W.CountAuditAsync("console_killed", pending.SessionId));
        await otherClient.FramebufferAsync();
    }

    [Fact]
    public async Task Proxmox_refusing_vncwebsocket_closes_with_4502_and_a_reason()
    {
        var console = await W.OpenConsoleAsync(W.Admin, W.FreshGuest(ConsoleCluster.RefusesWebSocket), ConsoleCluster.RefusesWebSocket);
        await using var client = await W.ConnectAsync(console, handshake: false);
        var (code, reason) = await client.WaitForCloseAsync();
        Assert.Equal(4502, code);
        Assert.Equal("Proxmox refused the console (HTTP 500)", reason);
        var record = await W.ClosedRecordAsync(console.SessionId);
        Assert.Equal(4502, record["close_code"]);
    }

    [Theory]
    [InlineData(ConsoleCluster.LegacyTicket)]
    [InlineData(ConsoleCluster.RawTcp)]
    public async Task The_legacy_ticket_and_raw_tcp_variants_relay_the_screen_and_keys_too(ConsoleCluster variant)
    {
        var guest = W.FreshGuest(variant);
        var console = await W.OpenConsoleAsync(W.Admin, guest, variant);
        await using var client = await W.ConnectAsync(console, host: 1);
        Assert.Contains(await client.FramebufferAsync(), b => b != 0);
        await client.TypeAsync(KeyA);
        await client.FramebufferAsync();
        Assert.Contains(W.InputLog(variant, guest), e => e.Kind == "key" && e.Detail.Contains("0x0061", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_foreign_or_missing_origin_is_403_before_the_upgrade_a_listed_one_is_accepted_and_the_token_never_reaches_a_log()
    {
        var listed = await W.OpenConsoleAsync(W.Admin, W.FreshGuest());
        Assert.Equal(HttpStatusCode.SwitchingProtocols,
            await ConsoleTestApi.UpgradeStatusAsync(W.Hosts[0].SocketUri(listed.SessionId), listed.Token, "https://console.example"));
        await W.ClosedRecordAsync(listed.SessionId);

        var console = await W.OpenConsoleAsync(W.Admin, W.FreshGuest());
        var uri = W.Hosts[0].SocketUri(console.SessionId);
        Assert.Equal(HttpStatusCode.Forbidden, await ConsoleTestApi.UpgradeStatusAsync(uri, console.Token, "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await ConsoleTestApi.UpgradeStatusAsync(uri, console.Token, null));
        Assert.Equal(HttpStatusCode.Forbidden, await ConsoleTestApi.UpgradeStatusAsync(W.Hosts[1].SocketUri(console.SessionId), console.Token, "https://console.example"));
        await using (var client = await W.ConnectAsync(console))
        {
            await client.FramebufferAsync();
        }
        await W.ClosedRecordAsync(console.SessionId);
        Assert.NotEmpty(world.Logs.Lines);
        Assert.Contains(world.Logs.Lines, l => l.Contains(console.SessionId.ToString(), StringComparison.Ordinal));
        Assert.False(world.Logs.Contains(console.Token), "the console token appeared in a log line");
    }
}
