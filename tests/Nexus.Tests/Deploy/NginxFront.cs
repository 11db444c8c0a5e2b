using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;
using Nexus.Tests.Data;
using Nexus.Tests.Support;
using Nexus.Tests.Web;

namespace Nexus.Tests.Deploy;

/// <summary>The nginx tests start processes on every core: one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class NginxCollection
{
    public const string Name = "nginx in front of three silos";
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
    private readonly List<Silo> _silos = [];
    private readonly SemaphoreSlim _labLock = new(1, 1);
    private ConsoleLab? _lab;
    private Process? _nginx;
    private string _nginxStderr = "";
    private X509Certificate2? _certificate;
    public int HttpsPort { get; private set; }
    public int HttpPort { get; private set; }
    public string AccessLog => Path.Combine(_folder, "nexus-access.log");
    public string ConnectionString => _database.ConnectionString;

    /// <summary>The page origin a browser has when it loaded the web client through this nginx.</summary>
    public string Origin => $"https://127.0.0.1:{HttpsPort}";

    private sealed record Silo(HostProcess Process, int WebPort, int SiloPort);

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
        for (var i = 0; i < SiloCount; i++)
        {
            var (webPort, siloPort) = (FreePort.Next(), FreePort.Next());
            _silos.Add(new Silo(HostProcess.Start(
                new Dictionary<string, string>
                {
                    ["Nexus__Database__ConnectionString"] = _database.ConnectionString,
                    ["Nexus__DataDirectory"] = Path.Combine(_folder, $"silo{i}"),
                },
                "--urls", $"http://127.0.0.1:{webPort}",
                $"--Nexus:Silo:SiloPort={siloPort}",
                $"--Nexus:Silo:ClusterId={clusterId}",
                $"--Nexus:Auth:SigningKey={signingKey}",
                $"--Nexus:Credentials:Keys:k1={credentialKey}",
                "--Nexus:Credentials:ActiveKeyId=k1",
                $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}",
                $"--Nexus:Auth:BootstrapAdminPassword={AdminPassword}",
                // The rolling restart holds a few consoles of one user open at once, and reopens them.
                "--Nexus:Consoles:MaxSessionsPerUser=20"), webPort, siloPort));
            if (i == 0)
            {
                // The first silo creates the bootstrap admin alone; the others find it (no three-way race for the first user).
                await WaitReadyAsync(0);
            }
        }
        for (var i = 1; i < SiloCount; i++)
        {
            await WaitReadyAsync(i);
        }
        await StartNginxAsync(_silos.Select(s => s.WebPort).ToList());
    }

    public async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }
        _nginx?.Dispose();
        await Task.WhenAll(_silos.Select(silo => silo.Process.DisposeAsync().AsTask()));
        if (_lab is not null)
        {
            _lab.Http.Dispose();
            await _lab.Simulator.DisposeAsync();
        }
        _certificate?.Dispose();
        _labLock.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>
    /// Asks silo <paramref name="index"/> to stop as systemd or Kubernetes does (SIGTERM) and waits for it. Meanwhile
    /// its <c>/readyz</c> is watched directly: whether it answered 503 before the silo went away.
    /// </summary>
    public async Task<(int ExitCode, bool ReportedNotReady)> StopSiloAsync(int index)
    {
        var silo = _silos[index];
        var stop = silo.Process.StopAsync(TimeSpan.FromSeconds(45));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.WebPort}"), Timeout = TimeSpan.FromSeconds(1) };
        var notReady = false;
        while (!notReady && !stop.IsCompleted)
        {
            try
            {
                using var response = await http.GetAsync("/readyz");
                notReady = response.StatusCode == HttpStatusCode.ServiceUnavailable;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The listener is closed already: too late to see it.
                break;
            }
            await Task.Delay(50);
        }
        return (await stop, notReady);
    }

    /// <summary>Starts silo <paramref name="index"/> again with the same arguments and ports and waits until its <c>/readyz</c> is 200.</summary>
    public async Task StartSiloAgainAsync(int index)
    {
        _silos[index].Process.StartAgain();
        await WaitReadyAsync(index);
    }

    /// <summary>What silo <paramref name="index"/> wrote so far (for failure messages).</summary>
    public string OutputOf(int index) => _silos[index].Process.Stdout + _silos[index].Process.Stderr;

    /// <summary>The silo whose web port nginx logged as <c>upstream=</c> (the last one, when nginx tried several).</summary>
    public int SiloOfUpstream(string upstream)
    {
        var port = int.Parse(upstream.Split(',')[^1].Trim().Split(':')[^1], CultureInfo.InvariantCulture);
        return _silos.FindIndex(s => s.WebPort == port) is >= 0 and var index ? index : throw new InvalidOperationException($"no silo listens on {upstream}");
    }

    /// <summary>The silo of an Orleans silo address in parsable form (<c>127.0.0.1:11111@123456</c>), as a console record keeps it.</summary>
    public int SiloOfAddress(string siloAddress)
    {
        var port = int.Parse(siloAddress.Split('@')[0].Split(':')[^1], CultureInfo.InvariantCulture);
        return _silos.FindIndex(s => s.SiloPort == port) is >= 0 and var index ? index : throw new InvalidOperationException($"no silo at {siloAddress}");
    }

    /// <summary>The silo that pumps a console session, from its record (written when the silo claims the session).</summary>
    public async Task<int> PumpSiloOfAsync(Guid sessionId)
    {
        var address = await Eventually.ResultAsync(async () =>
        {
            await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT pump_silo FROM nexus.console_sessions WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", sessionId);
            return await command.ExecuteScalarAsync() as string ?? throw new InvalidOperationException("no pump silo recorded yet");
        }, TimeSpan.FromSeconds(10), $"the record of console {sessionId} names its pump silo");
        return SiloOfAddress(address);
    }

    /// <summary>
    /// A tenant with a Proxmox server (the simulator, one cluster) registered through nginx as an operator does it: the
    /// servers API with a pinned certificate, polled every 5 s by the silos. Its VMs are running. Created on first use.
    /// </summary>
    public async Task<ConsoleLab> ConsolesAsync()
    {
        await _labLock.WaitAsync();
        try
        {
            return _lab ??= await ConsoleLab.StartAsync(this);
        }
        finally
        {
            _labLock.Release();
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

    private async Task WaitReadyAsync(int index)
    {
        var silo = _silos[index];
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.WebPort}"), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.ResultAsync(async () =>
        {
            Assert.False(silo.Process.HasExited, $"silo {index + 1} exited: {silo.Process.Stderr}");
            using var response = await http.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.OK ? true : throw new InvalidOperationException($"/readyz {response.StatusCode}");
        }, TimeSpan.FromMinutes(1), $"silo {index + 1} (port {silo.WebPort}) is ready");
    }
}

/// <summary>The simulated Proxmox cluster behind a <see cref="NginxFront"/>, registered through the API, with running VMs to open consoles on.</summary>
public sealed class ConsoleLab
{
    private readonly ConcurrentQueue<GuestInfo> _fresh;

    private ConsoleLab(ProxmoxSimulator simulator, HttpClient http, ApiClient admin, Guid tenant, Guid server, IReadOnlyList<GuestInfo> running)
    {
        Simulator = simulator;
        Http = http;
        Admin = admin;
        Tenant = tenant;
        Server = server;
        Changing = running[^1];
        _fresh = new ConcurrentQueue<GuestInfo>(running.SkipLast(1));
    }

    public ProxmoxSimulator Simulator { get; }
    public SimulatedCluster Cluster => Simulator.Clusters[0];

    /// <summary>HTTPS through nginx, trusting its certificate.</summary>
    internal HttpClient Http { get; }

    /// <summary>The global admin, signed in through nginx.</summary>
    internal ApiClient Admin { get; }
    public Guid Tenant { get; }
    public Guid Server { get; }

    /// <summary>A VM no console uses, for a test to change its state (every change is a live event at the next poll).</summary>
    public GuestInfo Changing { get; }

    /// <summary>Starts and stops <see cref="Changing"/> in Proxmox, one change every 2 s, until <paramref name="stop"/>.</summary>
    public async Task ChangeStateUntilAsync(CancellationToken stop)
    {
        for (var running = false; !stop.IsCancellationRequested; running = !running)
        {
            Cluster.SetGuestStatus(Changing.Vmid, running ? "running" : "stopped");
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>A running VM no other console of the test has used.</summary>
    public GuestInfo FreshGuest() => _fresh.TryDequeue(out var guest) ? guest : throw new InvalidOperationException("out of guests");

    internal static async Task<ConsoleLab> StartAsync(NginxFront front)
    {
        var simulator = await ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = 1,
            NodesPerCluster = 2,
            GuestsPerCluster = 16,
            ContainerShare = 0,
            AuthFailureDelay = TimeSpan.Zero,
            SnapshotInterval = TimeSpan.FromMilliseconds(500),
            SecondaryAddress = null,
        });
        var cluster = simulator.Clusters[0];
        var running = cluster.Guests.Where(g => g.Type == "qemu" && !g.Template).ToList();
        foreach (var guest in running)
        {
            cluster.SetGuestStatus(guest.Vmid, "running");
        }
        var http = front.Client(HttpVersion.Version20);
        var admin = await ApiClient.SignInAsync(http, NginxFront.AdminEmail, NginxFront.AdminPassword);
        var tenant = (await admin.CallAsync(HttpMethod.Post, "/api/tenants", new { name = "Edge " + Guid.NewGuid().ToString("N")[..6] }, HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        var server = (await admin.CallAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers", new
        {
            name = "pve-edge",
            host = cluster.PrimaryUrl.Host,
            port = cluster.PrimaryUrl.Port,
            apiToken = cluster.ApiToken,
            trust = new { mode = "pinned", fingerprints = cluster.Fingerprints.Values.ToArray() },
            pollIntervalSeconds = 5,
        }, HttpStatusCode.Created)).GetProperty("id").GetGuid();

        // The silos learn the guests from their first polls: wait until the live snapshot shows them running.
        var expected = running.Select(g => g.Vmid).ToHashSet();
        await Eventually.ResultAsync(async () =>
        {
            var snapshot = await admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/live");
            var seen = snapshot.GetProperty("vms").EnumerateArray()
                .Select(vm => vm.GetProperty("guest"))
                .Count(g => expected.Contains(g.GetProperty("vmId").GetInt32()) && g.GetProperty("status").GetString() == "running");
            return seen == expected.Count ? true : throw new InvalidOperationException($"{seen} of {expected.Count} VMs running in the snapshot");
        }, TimeSpan.FromSeconds(30), "the server's VMs show as running in the live snapshot");
        return new ConsoleLab(simulator, http, admin, tenant, server, running);
    }
}
