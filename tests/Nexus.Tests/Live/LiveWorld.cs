using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Host;
using Nexus.Host.Live;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;
using Nexus.Tests.Data;
using Nexus.Tests.Servers;
using Nexus.Tests.Support;
using Nexus.Tests.Web;
using Orleans.Configuration;

namespace Nexus.Tests.Live;

/// <summary>One real Nexus host of a <see cref="LiveWorld"/>, with every log line it writes recorded.</summary>
internal sealed class LiveHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private LiveHost(WebApplication app, RecordingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public RecordingLoggerProvider Logs { get; }
    public IServiceProvider Services => _app.Services;
    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();
    public SiloAddress SiloAddress => _app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
    public TenantStreamBridge Bridge => _app.Services.GetRequiredService<TenantStreamBridge>();

    public static async Task<LiveHost> StartAsync(string[] args)
    {
        var logs = new RecordingLoggerProvider();
        var app = await NexusApplication.BuildAsync(args, new NexusHostCustomization
        {
            ConfigureBuilder = builder => builder.Logging.AddProvider(logs),
            // Detect a killed silo in seconds (as NexusTestHost does).
            ConfigureSilo = silo => silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            }),
        });
        await app.StartAsync();
        return new LiveHost(app, logs);
    }

    /// <summary>Stops without a graceful shutdown: connections drop, the silo stays in the membership table like a crashed process.</summary>
    public async Task KillAsync()
    {
        _stopped = true;
        Http.Dispose();
        await _app.StopAsync(new CancellationToken(canceled: true));
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        Http.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>
/// A fresh database, a Proxmox simulator, and real Nexus hosts forming one cluster on it (same signing key, so a
/// token works on every host, as behind a load balancer); the bootstrap admin signed in on the first host.
/// </summary>
internal sealed class LiveWorld : IAsyncDisposable
{
    public const string AdminEmail = "root@nexus.test";
    public const string AdminPassword = "root-password-1";
    public const int PollSeconds = 5;

    private readonly string _clusterId = "live-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string[] _extraArgs;

    private LiveWorld(string connectionString, ProxmoxSimulator simulator, string[] extraArgs)
    {
        ConnectionString = connectionString;
        Simulator = simulator;
        _extraArgs = extraArgs;
    }

    public string ConnectionString { get; }
    public ProxmoxSimulator Simulator { get; }
    public SimulatedCluster Cluster => Simulator.Clusters[0];
    public List<LiveHost> Hosts { get; } = [];
    public LiveHost Host => Hosts[0];
    public ApiClient Admin { get; private set; } = null!;

    public static async Task<LiveWorld> StartAsync(int hosts, params string[] extraArgs)
    {
        var database = new DatabaseFixture();
        await database.InitializeAsync();
        var simulator = await ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = 1, NodesPerCluster = 2, GuestsPerCluster = 8, ContainerShare = 0, AuthFailureDelay = TimeSpan.Zero,
            SecondaryAddress = null, SnapshotInterval = TimeSpan.FromMilliseconds(200), TaskDuration = TimeSpan.FromSeconds(1),
        });
        var world = new LiveWorld(database.ConnectionString, simulator, extraArgs);
        for (var i = 0; i < hosts; i++)
        {
            await world.AddHostAsync();
        }
        world.Admin = await ApiClient.SignInAsync(world.Host.Http, AdminEmail, AdminPassword);
        return world;
    }

    public async Task<LiveHost> AddHostAsync()
    {
        var host = await LiveHost.StartAsync(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Nexus:Database:ConnectionString={ConnectionString}",
            $"--Nexus:Silo:ClusterId={_clusterId}",
            $"--Nexus:Silo:SiloPort={FreePort.Next()}",
            $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}",
            $"--Nexus:Auth:BootstrapAdminPassword={AdminPassword}",
            $"--Nexus:Auth:SigningKey={_signingKey}",
            "--Nexus:Auth:PerIpPermitLimit=100000",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Orleans=Error",
            .. _extraArgs,
        ]);
        Hosts.Add(host);
        return host;
    }

    public async Task<ApiClient> NewUserAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)] + "@nexus.test";
        var password = "password-" + name;
        await Admin.CallAsync(HttpMethod.Post, "/api/users", new { email, password, fullName = name }, HttpStatusCode.Created);
        return await ApiClient.SignInAsync(Host.Http, email, password);
    }

    public async Task<Guid> NewTenantAsync(string name)
    {
        var tenant = await Admin.CallAsync(HttpMethod.Post, "/api/tenants", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)] }, HttpStatusCode.Created);
        return tenant.GetProperty("id").GetGuid();
    }

    public Task AddMemberAsync(Guid tenantId, Guid userId, string role) =>
        Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenantId}/members/{userId}", new { role }, HttpStatusCode.Created);

    /// <summary>Registers the simulator's cluster with the tenant (pinned, polled every <see cref="PollSeconds"/> s) and waits for its first poll.</summary>
    public async Task<Guid> AddServerAsync(Guid tenantId, string name = "pve")
    {
        var created = await Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{tenantId}/servers", new
        {
            name,
            host = Cluster.PrimaryUrl.Host,
            port = Cluster.PrimaryUrl.Port,
            apiToken = Cluster.ApiToken,
            trust = new { mode = "pinned", fingerprints = Cluster.NodeNames.Select(Cluster.Fingerprint).ToArray() },
            pollIntervalSeconds = PollSeconds,
        }, HttpStatusCode.Created);
        var serverId = created.GetProperty("id").GetGuid();
        await Eventually.ResultAsync(async () =>
        {
            using var response = await Admin.SendAsync(HttpMethod.Get, $"/api/tenants/{tenantId}/live");
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode && JsonDocument.Parse(text).RootElement.GetProperty("vms").GetArrayLength() > 0
                ? true
                : throw new InvalidOperationException($"no guests yet: {(int)response.StatusCode} {text}");
        }, TimeSpan.FromSeconds(30), "the server's first poll shows its guests");
        return serverId;
    }

    public static Task<JsonElement> SnapshotAsync(ApiClient who, Guid tenantId) =>
        who.CallAsync(HttpMethod.Get, $"/api/tenants/{tenantId}/live");

    /// <summary>A guest of the simulator in the given state (qemu, so grants and actions address it the same way).</summary>
    public GuestInfo Guest(GuestRunState state, params int[] except) =>
        Cluster.Guests.First(g => g.State == state && g.Type == "qemu" && !except.Contains(g.Vmid));

    /// <summary>Every QEMU guest running but the last two, stopped: each test starts from the same Proxmox.</summary>
    public void ResetGuests()
    {
        var guests = Cluster.Guests.Where(g => g.Type == "qemu").OrderBy(g => g.Vmid).ToList();
        for (var i = 0; i < guests.Count; i++)
        {
            Cluster.SetGuestStatus(guests[i].Vmid, i < guests.Count - 2 ? "running" : "stopped");
        }
        Cluster.RefreshSnapshot();
    }

    /// <summary>Changes a guest's state "outside" Nexus, as someone on the Proxmox UI would.</summary>
    public void SetOutside(int vmid, string status)
    {
        Cluster.SetGuestStatus(vmid, status);
        Cluster.RefreshSnapshot();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Hosts)
        {
            await host.DisposeAsync();
        }
        await Simulator.DisposeAsync();
    }
}
