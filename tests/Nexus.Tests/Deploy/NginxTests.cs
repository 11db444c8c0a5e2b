using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Nexus.Tests.Data;
using Nexus.Tests.Support;
using Nexus.Tests.Web;

namespace Nexus.Tests.Deploy;

/// <summary>
/// The checked-in load-balancer configuration (deploy/nginx/nexus.conf), run by the real nginx in front of three
/// silos on one database, as an operator deploys it: HTTPS with HTTP/2, requests and live-hub sockets spread over the
/// silos with no affinity, tokens valid on every silo, WebSockets upgraded, and no query string in the access log.
/// </summary>
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

    private static string Upstream(string logLine) =>
        logLine[(logLine.IndexOf("upstream=", StringComparison.Ordinal) + "upstream=".Length)..].Split(' ')[0];

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

/// <summary>Three silos on one database (shared signing and credential keys) behind the real nginx with the checked-in configuration.</summary>
public sealed class NginxFront : IAsyncLifetime
{
    private const string Nginx = "/usr/sbin/nginx";
    public const string AdminEmail = "ops@nexus.test";
    public const string AdminPassword = "ops-password-1";
    public const int SiloCount = 3;

    private readonly DatabaseFixture _database = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nexus-nginx-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<HostProcess> _silos = [];
    private Process? _nginx;
    private string _nginxStderr = "";
    private X509Certificate2? _certificate;
    public int HttpsPort { get; private set; }
    public int HttpPort { get; private set; }
    public string AccessLog => Path.Combine(_folder, "nexus-access.log");

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // xunit does not dispose a fixture whose initialization failed: stop the processes started so far.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        Assert.True(File.Exists(Nginx), $"{Nginx} is missing: install Debian's nginx (`apt-get install -y nginx`; `./nexus test` does it)");
        Directory.CreateDirectory(_folder);
        await _database.InitializeAsync();

        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var credentialKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var clusterId = "nginx-" + Guid.NewGuid().ToString("N")[..8];
        var webPorts = new List<int>();
        for (var i = 0; i < SiloCount; i++)
        {
            var webPort = FreePort.Next();
            webPorts.Add(webPort);
            _silos.Add(HostProcess.Start(
                new Dictionary<string, string>
                {
                    ["Nexus__Database__ConnectionString"] = _database.ConnectionString,
                    ["Nexus__DataDirectory"] = Path.Combine(_folder, $"silo{i}"),
                },
                "--urls", $"http://127.0.0.1:{webPort}",
                $"--Nexus:Silo:SiloPort={FreePort.Next()}",
                $"--Nexus:Silo:ClusterId={clusterId}",
                $"--Nexus:Auth:SigningKey={signingKey}",
                $"--Nexus:Credentials:Keys:k1={credentialKey}",
                "--Nexus:Credentials:ActiveKeyId=k1",
                $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}",
                $"--Nexus:Auth:BootstrapAdminPassword={AdminPassword}"));
            if (i == 0)
            {
                // The first silo creates the bootstrap admin alone; the others find it (no three-way race for the first user).
                await WaitReadyAsync(_silos[0], webPort);
            }
        }
        for (var i = 1; i < SiloCount; i++)
        {
            await WaitReadyAsync(_silos[i], webPorts[i]);
        }
        await StartNginxAsync(webPorts);
    }

    public async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }
        _nginx?.Dispose();
        await Task.WhenAll(_silos.Select(silo => silo.DisposeAsync().AsTask()));
        _certificate?.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task StartNginxAsync(IReadOnlyList<int> siloPorts)
    {
        _certificate = SelfSigned();
        File.WriteAllText(Path.Combine(_folder, "nexus.crt"), _certificate.ExportCertificatePem());
        using (var key = _certificate.GetECDsaPrivateKey()!)
        {
            File.WriteAllText(Path.Combine(_folder, "nexus.key"), key.ExportPkcs8PrivateKeyPem());
        }
        HttpsPort = FreePort.Next();
        HttpPort = FreePort.Next();
        var rendered = NginxConfig.Render(File.ReadAllText(NginxConfig.TemplatePath), siloPorts, HttpsPort, HttpPort, _folder);
        var config = Path.Combine(_folder, "nginx.conf");
        File.WriteAllText(config, NginxConfig.WrapInMainConfig(rendered, _folder));

        var info = new ProcessStartInfo(Nginx) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in new[] { "-p", _folder, "-c", config, "-e", Path.Combine(_folder, "main-error.log") })
        {
            info.ArgumentList.Add(argument);
        }
        _nginx = Process.Start(info)!;
        _nginx.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_folder) { _nginxStderr += e.Data + "\n"; } } };
        _nginx.BeginErrorReadLine();
        var nginx = _nginx;
        using var answer = await Eventually.ResultAsync(async () =>
        {
            Assert.False(nginx.HasExited, $"nginx exited: {NginxErrors()}");
            using var probe = Client(HttpVersion.Version11);
            return await probe.GetAsync("/healthz");
        }, TimeSpan.FromSeconds(15), "nginx answers");
    }

    private string NginxErrors()
    {
        var log = Path.Combine(_folder, "main-error.log");
        lock (_folder)
        {
            return _nginxStderr + (File.Exists(log) ? File.ReadAllText(log) : "");
        }
    }

    public HttpClient Client(Version version) => new(Handler())
    {
        BaseAddress = new Uri($"https://127.0.0.1:{HttpsPort}"),
        DefaultRequestVersion = version,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(10),
    };

    public SocketsHttpHandler Handler() => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => IsOurs(certificate) },
    };

    // Pinned like a browser that trusts this one certificate; nothing else is accepted.
    public bool IsOurs(X509Certificate? certificate) =>
        certificate is not null && _certificate is not null && certificate.GetCertHashString() == _certificate.GetCertHashString();

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }

    private static async Task WaitReadyAsync(HostProcess silo, int port)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.ResultAsync(async () =>
        {
            Assert.False(silo.HasExited, $"silo exited: {silo.Stderr}");
            using var response = await http.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.OK ? true : throw new InvalidOperationException($"/readyz {response.StatusCode}");
        }, TimeSpan.FromMinutes(1), $"the silo on port {port} is ready");
    }
}
