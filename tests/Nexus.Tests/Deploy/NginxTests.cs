using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Nexus.Tests.Consoles;
using Nexus.Tests.Support;
using Nexus.Tests.Web;

namespace Nexus.Tests.Deploy;

/// <summary>
/// The checked-in load-balancer configuration (deploy/nginx/nexus.conf), run by the real nginx in front of three
/// silos on one database, as an operator deploys it: HTTPS with HTTP/2, requests and live-hub sockets spread over the
/// silos with no affinity, tokens valid on every silo, WebSockets upgraded, and no query string in the access log.
/// </summary>
[Collection(NginxCollection.Name)]
public sealed class NginxTests(NginxFront front) : IClassFixture<NginxFront>
{
    [Fact]
    public async Task Signed_in_calls_through_nginx_are_spread_over_the_silos_and_the_log_has_no_query_strings()
    {
        using var http = front.Client(HttpVersion.Version20);
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpVersion.Version20, ready.Version);

        // One silo signs in; any other accepts the token (shared signing key, one database).
        var admin = await ApiClient.SignInAsync(http, NginxFront.AdminEmail, NginxFront.AdminPassword);
        for (var i = 0; i < 6; i++)
        {
            var me = await admin.CallAsync(HttpMethod.Get, "/api/me");
            Assert.Equal("admin", me.GetProperty("globalRole").GetString());
        }

        const string canary = "eyJ-canary-access-token";
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/readyz?access_token={canary}")).StatusCode);

        var log = await File.ReadAllTextAsync(front.AccessLog);
        var meUpstreams = log.Split('\n')
            .Where(line => line.Contains("\"GET /api/me HTTP/", StringComparison.Ordinal) && line.Contains("\" 200 ", StringComparison.Ordinal))
            .Select(Upstream)
            .ToList();
        Assert.True(meUpstreams.Count >= 6, $"expected six /api/me lines in the access log:\n{log}");
        Assert.True(meUpstreams.Distinct().Count() >= 2, $"every /api/me went to one silo:\n{log}");
        Assert.Contains("\"GET /readyz HTTP/2.0\" 200", log, StringComparison.Ordinal);
        Assert.DoesNotContain(canary, log, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_hub_clients_spread_over_the_silos_without_affinity_each_receive_an_event_caused_through_another_request()
    {
        using var http = front.Client(HttpVersion.Version11);
        var admin = await ApiClient.SignInAsync(http, NginxFront.AdminEmail, NginxFront.AdminPassword);
        var tenant = (await admin.CallAsync(HttpMethod.Post, "/api/tenants", new { name = "Edge " + Guid.NewGuid().ToString("N")[..6] }, HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

        // As the browser connects: no negotiate step, straight to a WebSocket carrying the token as access_token in
        // the query. Held open together, least_conn puts each on another silo.
        var hubs = new List<(HubConnection Connection, ConcurrentQueue<JsonElement> Events)>();
        try
        {
            for (var i = 0; i < NginxFront.SiloCount; i++)
            {
                var events = new ConcurrentQueue<JsonElement>();
                var hub = new HubConnectionBuilder()
                    .WithUrl($"https://127.0.0.1:{front.HttpsPort}/hubs/live?access_token={Uri.EscapeDataString(admin.AccessToken!)}", options =>
                    {
                        options.SkipNegotiation = true;
                        options.Transports = HttpTransportType.WebSockets;
                        options.WebSocketConfiguration = socket => socket.RemoteCertificateValidationCallback = (_, certificate, _, _) => front.IsOurs(certificate);
                    })
                    .Build();
                hubs.Add((hub, events));
                hub.On<JsonElement>("event", events.Enqueue);
                await hub.StartAsync();
                await hub.InvokeAsync("JoinTenant", tenant);
            }

            // The change goes through nginx as its own request (any silo); the event reaches every hub's silo.
            await admin.CallAsync(HttpMethod.Patch, $"/api/tenants/{tenant}", new { isActive = false });
            for (var i = 0; i < hubs.Count; i++)
            {
                var events = hubs[i].Events;
                await Eventually.TrueAsync(
                    () => events.Any(e => e.GetProperty("tenantId").GetGuid() == tenant && e.GetProperty("type").GetString() == "accessChanged"),
                    TimeSpan.FromSeconds(10), $"hub client {i + 1} behind nginx receives accessChanged");
            }
        }
        finally
        {
            foreach (var (connection, _) in hubs)
            {
                await connection.DisposeAsync();
            }
        }

        // nginx logs an upgraded request when its socket closes.
        List<string> hubLines = [];
        await Eventually.TrueAsync(() => (hubLines = HubLines(File.ReadAllText(front.AccessLog))).Count >= NginxFront.SiloCount,
            TimeSpan.FromSeconds(5), $"the {NginxFront.SiloCount} upgraded requests are in the access log");
        var log = File.ReadAllText(front.AccessLog);
        Assert.DoesNotContain("/hubs/live/negotiate", log, StringComparison.Ordinal);
        var silos = hubLines.Select(Upstream).Distinct().ToList();
        Assert.True(silos.Count == NginxFront.SiloCount, $"the hub sockets landed on {silos.Count} silo(s), expected one each on {NginxFront.SiloCount}:\n{log}");
        Assert.DoesNotContain(admin.AccessToken!, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_console_whose_token_was_minted_through_one_silo_and_whose_socket_lands_on_another_streams_a_framebuffer()
    {
        var lab = await front.ConsolesAsync();
        using var invoker = new HttpMessageInvoker(front.Handler());
        // Which silo nginx picks is its own business (least_conn): open consoles until the socket lands elsewhere
        // than the request that minted its token.
        for (var attempt = 1; ; attempt++)
        {
            var logStart = new FileInfo(front.AccessLog).Length;
            var guest = lab.FreshGuest();
            var opened = await lab.Admin.CallAsync(HttpMethod.Post, "/api/consoles", new { serverId = lab.Server, type = guest.Type, vmid = guest.Vmid });
            var sessionId = opened.GetProperty("sessionId").GetGuid();
            var wsPath = opened.GetProperty("wsPath").GetString()!;
            var postLine = await Eventually.ResultAsync(() => Task.FromResult(LinesSince(logStart)
                    .Single(line => line.Contains("\"POST /api/consoles HTTP/", StringComparison.Ordinal) && line.Contains("\" 200 ", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(5), "nginx logged the POST that minted the token");
            var minted = front.SiloOfUpstream(Upstream(postLine));

            // As the page does: wss through nginx, the token as a subprotocol, the page's own origin.
            await using var client = await ConsoleRfbClient.ConnectAsync(new Uri($"wss://127.0.0.1:{front.HttpsPort}{wsPath}"),
                opened.GetProperty("token").GetString(), front.Origin, invoker: invoker);
            await client.HandshakeAsync();
            var pixels = await client.FramebufferAsync();
            var pumped = await front.PumpSiloOfAsync(sessionId);
            if (pumped == minted)
            {
                Assert.True(attempt < 5, $"{attempt} consoles were all pumped by the silo that minted their token");
                continue;
            }

            Assert.Equal(client.Screen.Width * client.Screen.Height * client.Screen.BitsPerPixel / 8, pixels.Length);
            Assert.Contains(pixels, b => b != 0);
            await client.CloseAsync();
            // nginx logs an upgraded request when its socket ends: the socket went to the pumping silo.
            var socketLine = await Eventually.ResultAsync(() => Task.FromResult(LinesSince(logStart)
                    .Single(line => line.Contains($"\"GET {wsPath} HTTP/1.1\" 101 ", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(5), "nginx logged the console's upgraded request");
            Assert.Equal(pumped, front.SiloOfUpstream(Upstream(socketLine)));
            Assert.DoesNotContain(opened.GetProperty("token").GetString()!, File.ReadAllText(front.AccessLog), StringComparison.Ordinal);
            return;
        }
    }

    private List<string> LinesSince(long offset)
    {
        using var stream = new FileStream(front.AccessLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    // "upstream=127.0.0.1:5001" or, when nginx tried another silo, "upstream=127.0.0.1:5001, 127.0.0.1:5002".
    private static string Upstream(string logLine)
    {
        var start = logLine.IndexOf("upstream=", StringComparison.Ordinal) + "upstream=".Length;
        return logLine[start..logLine.IndexOf(" upstream_status=", start, StringComparison.Ordinal)];
    }

    private static List<string> HubLines(string log) =>
        [.. log.Split('\n').Where(line => line.Contains("\"GET /hubs/live HTTP/1.1\" 101 ", StringComparison.Ordinal))];

    [Fact]
    public async Task Plain_http_is_redirected_to_https()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{front.HttpPort}") };
        var response = await http.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal("https", response.Headers.Location?.Scheme);
    }
}
