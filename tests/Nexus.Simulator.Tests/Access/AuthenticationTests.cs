using System.Net;
using System.Text.RegularExpressions;
using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.Access;

public sealed class AuthenticationTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private async Task<(string Ticket, string Csrf)> LoginAsync(HttpClient client, string username = "root@pam", string? password = null)
    {
        var response = await client.SendAsync(Pve.Request(HttpMethod.Post, "access/ticket", form: new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password ?? fixture.Cluster.RootPassword,
        }));
        var data = (await Pve.DataAsync(response))!;
        return (data["ticket"]!.GetValue<string>(), data["CSRFPreventionToken"]!.GetValue<string>());
    }

    [Fact]
    public async Task Request_without_credentials_is_401_No_ticket_with_an_empty_body()
    {
        using var client = fixture.Client();
        using var response = await client.GetAsync("version");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("No ticket", response.ReasonPhrase);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(Pve.ContentType(response));
    }

    [Fact]
    public async Task Wrong_token_secret_is_401_Authentication_failed_with_an_empty_body()
    {
        using var client = fixture.Client();
        using var response = await Pve.GetAsync(client, "version", "PVEAPIToken=root@pam!nexus=00000000-0000-0000-0000-000000000000");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Authentication failed!", response.ReasonPhrase);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("PVEAPIToken={0}")]
    [InlineData("PVEAPIToken {0}")]
    public async Task Token_header_accepts_equals_or_space_after_the_prefix(string format)
    {
        using var client = fixture.Client();
        var data = await Pve.GetDataAsync(client, "version", string.Format(format, fixture.Cluster.ApiToken));
        Assert.Equal("9.2.11", data!["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ticket_login_returns_ticket_and_csrf_token_in_proxmox_format()
    {
        using var client = fixture.Client();
        using var response = await client.SendAsync(Pve.Request(HttpMethod.Post, "access/ticket", form: new Dictionary<string, string>
        {
            ["username"] = "root",
            ["realm"] = "pam",
            ["password"] = fixture.Cluster.RootPassword,
        }));
        var data = (await Pve.DataAsync(response))!;
        Assert.Equal("root@pam", data["username"]!.GetValue<string>());
        Assert.Matches(new Regex(@"^PVE:root@pam:[0-9A-F]{8}::[A-Za-z0-9+/]+=*$"), data["ticket"]!.GetValue<string>());
        Assert.Matches(new Regex(@"^[0-9A-F]{8}:[A-Za-z0-9+/]{43}$"), data["CSRFPreventionToken"]!.GetValue<string>());
        Assert.Equal(1, data["cap"]!["vms"]!["VM.PowerMgmt"]!.GetValue<int>());
        Assert.Equal(fixture.Cluster.Name, data["clustername"]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_failure_is_401_authentication_failure_with_a_message_body()
    {
        using var client = fixture.Client();
        using var response = await client.SendAsync(Pve.Request(HttpMethod.Post, "access/ticket", form: new Dictionary<string, string>
        {
            ["username"] = "root@pam",
            ["password"] = "wrong",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("authentication failure", response.ReasonPhrase);
        Assert.Equal("{\"data\":null,\"message\":\"authentication failure\\n\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_token_id_cannot_log_in_for_a_ticket()
    {
        using var client = fixture.Client();
        var token = fixture.Cluster.RootToken;
        using var response = await client.SendAsync(Pve.Request(HttpMethod.Post, "access/ticket", form: new Dictionary<string, string>
        {
            ["username"] = token.FullTokenId,
            ["password"] = token.Secret,
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Cookie_read_needs_no_csrf_token()
    {
        using var client = fixture.Client();
        var (ticket, _) = await LoginAsync(client);
        using var request = Pve.Request(HttpMethod.Get, "nodes");
        request.Headers.Add("Cookie", Pve.Cookie(ticket));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Cookie_write_without_csrf_token_is_401()
    {
        using var client = fixture.Client();
        var (ticket, _) = await LoginAsync(client);
        var guest = fixture.Guest(g => g.Type == "qemu" && !g.Template);
        using var request = Pve.Request(HttpMethod.Post, $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/reset", form: new Dictionary<string, string>());
        request.Headers.Add("Cookie", Pve.Cookie(ticket));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Permission denied - invalid csrf token", response.ReasonPhrase);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Cookie_write_with_csrf_token_is_accepted()
    {
        using var client = fixture.Client();
        var (ticket, csrf) = await LoginAsync(client);
        var guest = fixture.Guest(g => g.Type == "qemu" && !g.Template && g.Vmid % 2 == 0);
        fixture.Cluster.SetGuestStatus(guest.Vmid, "running");
        using var request = Pve.Request(HttpMethod.Post, $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/reset", form: new Dictionary<string, string>());
        request.Headers.Add("Cookie", Pve.Cookie(ticket));
        request.Headers.Add("CSRFPreventionToken", csrf);
        var upid = (await Pve.DataAsync(await client.SendAsync(request)))!.GetValue<string>();
        Assert.EndsWith(":qmreset:" + guest.Vmid + ":root@pam:", upid);
    }

    [Fact]
    public async Task Ticket_in_the_authorization_header_is_accepted_like_the_cookie()
    {
        using var client = fixture.Client();
        var (ticket, _) = await LoginAsync(client);
        var data = await Pve.GetDataAsync(client, "version", $"PVEAuthCookie={ticket}");
        Assert.NotNull(data);
    }

    [Fact]
    public async Task A_cookie_wins_over_a_token_even_when_the_cookie_is_bad()
    {
        using var client = fixture.Client();
        using var request = Pve.Request(HttpMethod.Get, "version", fixture.RootToken);
        request.Headers.Add("Cookie", "PVEAuthCookie=PVE:root@pam:00000000::forged");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Authentication failed!", response.ReasonPhrase);
    }

    [Fact]
    public async Task A_ticket_can_be_renewed_by_posting_it_as_the_password()
    {
        using var client = fixture.Client();
        var (ticket, _) = await LoginAsync(client);
        var (renewed, _) = await LoginAsync(client, password: ticket);
        Assert.StartsWith("PVE:root@pam:", renewed);
    }

    [Fact]
    public async Task Token_requests_need_no_csrf_token_for_writes()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu" && !g.Template && g.Vmid % 2 == 1);
        fixture.Cluster.SetGuestStatus(guest.Vmid, "running");
        using var response = await Pve.PostAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/reset", fixture.RootToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>The ticket window needs its own clock: it moves time by hours.</summary>
public sealed class TicketWindowTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task A_ticket_is_valid_for_two_hours_and_rejected_after()
    {
        using var client = fixture.Client();
        using var login = await client.SendAsync(Pve.Request(HttpMethod.Post, "access/ticket", form: new Dictionary<string, string>
        {
            ["username"] = "root@pam",
            ["password"] = fixture.Cluster.RootPassword,
        }));
        var ticket = (await Pve.DataAsync(login))!["ticket"]!.GetValue<string>();

        fixture.Clock.Advance(TimeSpan.FromMinutes(119));
        Assert.NotNull(await Pve.GetDataAsync(client, "version", $"PVEAuthCookie={ticket}"));

        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        using var expired = await Pve.GetAsync(client, "version", $"PVEAuthCookie={ticket}");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("Authentication failed!", expired.ReasonPhrase);
    }
}

public sealed class SlowAuthFailureFixture : SimulatorFixture
{
    protected override void Configure(Nexus.Simulator.Hosting.SimulatorOptions options) =>
        options.AuthFailureDelay = TimeSpan.FromMilliseconds(400);
}

public sealed class AuthFailureDelayTests(SlowAuthFailureFixture fixture) : IClassFixture<SlowAuthFailureFixture>
{
    [Fact]
    public async Task Every_401_is_delayed_by_the_configured_time_and_successes_are_not()
    {
        using var client = fixture.Client();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var failed = await client.GetAsync("version");
        var failedAfter = watch.Elapsed;
        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        Assert.True(failedAfter >= TimeSpan.FromMilliseconds(380), $"401 came after {failedAfter}");

        await Pve.GetDataAsync(client, "version", fixture.RootToken);
        watch.Restart();
        await Pve.GetDataAsync(client, "version", fixture.RootToken);
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(380), $"success took {watch.Elapsed}");
    }
}
