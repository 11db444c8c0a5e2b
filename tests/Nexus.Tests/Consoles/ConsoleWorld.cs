using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Contracts.Events;
using Nexus.Contracts.Hosting;
using Nexus.Contracts.Servers;
using Nexus.Grains.Servers;
using Nexus.Host;
using Nexus.Proxmox.Configuration;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.ConsoleApi;
using Nexus.Simulator.Consoles;
using Nexus.Simulator.Hosting;
using Nexus.Tests.Data;
using Nexus.Tests.Grains;
using Nexus.Tests.Support;
using Nexus.Tests.Web;
using Orleans.Configuration;
using Orleans.Streams;

namespace Nexus.Tests.Consoles;

/// <summary>Which simulated Proxmox a console test talks to.</summary>
public enum ConsoleCluster
{
    /// <summary>A current Proxmox VE (qemu-server ≥ 9.1.7: vncproxy returns a password).</summary>
    Current = 0,

    /// <summary>Pre-9.1.7: no password, the ticket's first 8 bytes are the VNC password.</summary>
    LegacyTicket = 1,

    /// <summary>vncwebsocket forwards to a raw TCP RFB server (security None), as with an external VNC back-end.</summary>
    RawTcp = 2,

    /// <summary>vncproxy works, vncwebsocket is refused (500 invalid PVEVNC ticket).</summary>
    RefusesWebSocket = 3,
}

/// <summary>
/// The Proxmox simulator (four console variants), one PostgreSQL database and several Nexus hosts forming one
/// cluster, each on its own HTTP/1.1 and HTTP/2 (cleartext) ports. One tenant with one server per variant, registered
/// as the servers API leaves them (row + configuration + Reload). Console timings are short so that token expiry,
/// heartbeats and relay loss happen in seconds.
/// </summary>
internal sealed class ConsoleWorld : IAsyncDisposable
{
    public const string AdminEmail = "root@nexus.test";
    public const string AdminPassword = "root-password-1";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<ConsoleCluster, ConcurrentQueue<GuestInfo>> _fresh = new();
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private ClusterConsoles _rawBackend = null!;
    private ConsoleGuest _rawGuest = null!;

    public ProxmoxSimulator Simulator { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";
    public TestServerConfigs Configs { get; } = new();
    public List<ConsoleHost> Hosts { get; } = [];
    public ApiClient Admin { get; private set; } = null!;
    public Guid Tenant { get; private set; }
    public Dictionary<ConsoleCluster, Guid> Servers { get; } = [];
    public EventLog Events { get; private set; } = null!;

    /// <summary>Starts the world; <paramref name="hostArgs"/> adds arguments per host index.</summary>
    public static async Task<ConsoleWorld> StartAsync(int hosts, Func<int, string[]>? hostArgs = null, ILoggerProvider? logsOfHost0 = null)
    {
        var world = new ConsoleWorld();
        world._rawBackend = ClusterConsoles.Create(new ClusterConsoleOptions());
        world._rawGuest = new ConsoleGuest("raw", "qemu", 100, "raw-guest");
        var raw = world._rawBackend.RawEndpoint(world._rawGuest);
        world.Simulator = await ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = 4,
            NodesPerCluster = 2,
            GuestsPerCluster = 40,
            ContainerShare = 0,
            Seed = 7,
            AuthFailureDelay = TimeSpan.Zero,
            SnapshotInterval = TimeSpan.FromMilliseconds(300),
            SecondaryAddress = null,
            ProfileForCluster = i => new ClusterProfile(LegacyVncTicket: i == (int)ConsoleCluster.LegacyTicket),
            ConsoleFactory = context => Consoles(context, raw),
        });
        var database = new DatabaseFixture();
        await database.InitializeAsync();
        world.ConnectionString = database.ConnectionString;
        var clusterId = "consoles-" + Guid.NewGuid().ToString("N")[..8];
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        for (var i = 0; i < hosts; i++)
        {
            world.Hosts.Add(await ConsoleHost.StartAsync(world, clusterId, signingKey, hostArgs?.Invoke(i) ?? [], i == 0 ? logsOfHost0 : null));
        }
        world.Admin = await ApiClient.SignInAsync(world.Hosts[0].Http, AdminEmail, AdminPassword);
        world.Tenant = await world.NewTenantAsync("Consoles");
        world.Events = await world.SubscribeAsync(world.Tenant);
        foreach (var variant in Enum.GetValues<ConsoleCluster>())
        {
            var cluster = world.Cluster(variant);
            var queue = new ConcurrentQueue<GuestInfo>();
            foreach (var guest in cluster.Guests.Where(g => g.Type == "qemu" && !g.Template))
            {
                cluster.SetGuestStatus(guest.Vmid, "running");
                queue.Enqueue(guest);
            }
            world._fresh[variant] = queue;
            world.Servers[variant] = await world.AddServerAsync(world.Tenant, cluster);
        }
        // Proxmox's /cluster/resources is a periodic snapshot: wait until the servers' grains see every guest running.
        foreach (var (variant, serverId) in world.Servers)
        {
            var server = world.Hosts[0].Grains.GetGrain<IProxmoxServerGrain>(serverId);
            var expected = world._fresh[variant].Select(g => g.Vmid).ToHashSet();
            await Eventually.TrueAsync(() => server.GetSnapshot().Result.Guests.Count(g => expected.Contains(g.VmId) && g.Status == "running") == expected.Count,
                TimeSpan.FromSeconds(20), $"the {variant} server's snapshot shows its guests running");
        }
        return world;
    }

    private static IClusterConsoles Consoles(ConsoleClusterContext context, IPEndPoint raw)
    {
        var options = new ClusterConsoleOptions
        {
            LegacyTicketStyle = context.Profile.LegacyVncTicket,
            Clock = context.Clock,
            ExternalVncBackend = context.ClusterName == "cluster3" ? $"127.0.0.1:{raw.Port}" : null,
        };
        var consoles = ClusterConsoles.Create(options);
        return context.ClusterName == "cluster4" ? new RefusingWebSockets(consoles) : consoles;
    }

    public SimulatedCluster Cluster(ConsoleCluster variant) => Simulator.Clusters[(int)variant];

    /// <summary>A running VM no other test has used.</summary>
    public GuestInfo FreshGuest(ConsoleCluster variant = ConsoleCluster.Current) =>
        _fresh[variant].TryDequeue(out var guest) ? guest : throw new InvalidOperationException("out of guests");

    /// <summary>What reached the guest through its console (key, pointer, cut-text).</summary>
    public IReadOnlyList<ConsoleInputEvent> InputLog(ConsoleCluster variant, GuestInfo guest) => variant == ConsoleCluster.RawTcp
        ? _rawBackend.InputLog(_rawGuest)
        : Cluster(variant).Consoles.InputLog(new ConsoleGuest(guest.Node, guest.Type, guest.Vmid, guest.Name));

    public async Task<ApiClient> NewUserAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)] + "@nexus.test";
        var password = "password-" + name;
        await Admin.CallAsync(HttpMethod.Post, "/api/users", new { email, password, fullName = name }, HttpStatusCode.Created);
        return await ApiClient.SignInAsync(Hosts[0].Http, email, password);
    }

    public async Task<Guid> NewTenantAsync(string name)
    {
        var tenant = await Admin.CallAsync(HttpMethod.Post, "/api/tenants", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)] }, HttpStatusCode.Created);
        return tenant.GetProperty("id").GetGuid();
    }

    public Task AddMemberAsync(Guid tenantId, Guid userId, string role) =>
        Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenantId}/members/{userId}", new { role }, HttpStatusCode.Created);

    /// <summary>The same signed-in user calling through another host (access tokens are valid cluster-wide).</summary>
    public ApiClient Through(int host, ApiClient user) => new(Hosts[host].Http) { AccessToken = user.AccessToken };

    public async Task<Guid> AddServerAsync(Guid tenantId, SimulatedCluster cluster)
    {
        var serverId = Guid.NewGuid();
        var name = $"{cluster.Name}-{serverId.ToString("N")[..6]}";
        await ExecuteAsync(
            "INSERT INTO nexus.servers (id, tenant_id, name, host, port, token_ciphertext, token_key_id) VALUES (@id, @t, @n, @h, @p, '\\x00', 'test')",
            ("id", serverId), ("t", tenantId), ("n", name), ("h", $"{serverId:N}.sim.test"), ("p", cluster.Primary.EndPoint.Port));
        var proxmox = new ProxmoxServerConfig(name, GrainWorld.EndpointOf(cluster.Primary), null,
            ProxmoxTrust.Pinned(cluster.Fingerprints.Values), ProxmoxApiToken.Parse(cluster.ApiToken));
        Configs.Set(new ServerRuntimeConfig(serverId, tenantId, name, true, proxmox, TimeSpan.FromSeconds(1),
            new ServerHealthThresholds(50, 5000, TimeSpan.FromSeconds(60), false)));
        var grain = Hosts[0].Grains.GetGrain<IProxmoxServerGrain>(serverId);
        await grain.Reload();
        await Eventually.TrueAsync(() => grain.GetStatus().Result.LastSuccessAt is not null, TimeSpan.FromSeconds(20), "the first poll succeeded");
        return serverId;
    }

    public async Task<EventLog> SubscribeAsync(Guid tenantId)
    {
        var log = new EventLog();
        var stream = Hosts[0].Services.GetRequiredService<IClusterClient>().GetStreamProvider(OrleansNames.StreamProvider)
            .GetStream<TenantEvent>(StreamId.Create(TenantStreams.Namespace, tenantId));
        var handle = await stream.SubscribeAsync((e, _) =>
        {
            log.Add(e);
            return Task.CompletedTask;
        });
        _subscriptions.Add(new Disposer(() => handle.UnsubscribeAsync()));
        return log;
    }

    /// <summary>The session's record, read as the database owner (null when there is none).</summary>
    public async Task<Dictionary<string, object?>?> RecordAsync(Guid sessionId)
    {
        var rows = await RowsAsync("SELECT * FROM nexus.console_sessions WHERE id = @id", ("id", sessionId));
        return rows.Count == 0 ? null : Assert.Single(rows);
    }

    /// <summary>Waits until the session's record is closed and returns it.</summary>
    public async Task<Dictionary<string, object?>> ClosedRecordAsync(Guid sessionId, int seconds = 15)
    {
        Dictionary<string, object?>? record = null;
        await Eventually.TrueAsync(() =>
        {
            record = RecordAsync(sessionId).GetAwaiter().GetResult();
            return record?["ended_at"] is DateTime;
        }, TimeSpan.FromSeconds(seconds), $"the record of {sessionId} is closed");
        return record!;
    }

    public async Task<long> CountAuditAsync(string action, Guid? sessionId = null) =>
        (long)(await RowsAsync(
            "SELECT count(*) AS n FROM nexus.audit_log WHERE tenant_id = @t AND action = @a AND (@s::text IS NULL OR target_id = @s OR details->>'sessionId' = @s)",
            ("t", Tenant), ("a", action), ("s", (object?)sessionId?.ToString() ?? DBNull.Value)))[0]["n"]!;

    public async Task<List<Dictionary<string, object?>>> RowsAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value is DBNull or null
                ? new Npgsql.NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = DBNull.Value }
                : new Npgsql.NpgsqlParameter(name, value));
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    private Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) =>
        RowsAsync(sql, parameters.Select(p => (p.Name, (object?)p.Value)).ToArray());

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            try
            {
                await subscription.DisposeAsync();
            }
            catch (Exception ex) when (ex is OrleansException or ObjectDisposedException or InvalidOperationException)
            {
                // The subscribing host is already gone.
            }
        }
        foreach (var host in Hosts)
        {
            await host.DisposeAsync();
        }
        await Simulator.DisposeAsync();
        await _rawBackend.DisposeAsync();
    }

    private sealed class Disposer(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }

    /// <summary>A console back-end whose vncwebsocket refuses every ticket, as pveproxy does a forged or stale one.</summary>
    private sealed class RefusingWebSockets(ClusterConsoles inner) : IClusterConsoles, IAsyncDisposable
    {
        public VncProxyGrant Reserve(ConsoleGuest guest, string principal, Action<string?> onFinished) => inner.Reserve(guest, principal, onFinished);

        public Task HandleWebSocketAsync(HttpContext context, ConsoleGuest guest, string principal, int port, string vncTicket) =>
            throw new ConsoleException(500, "permission denied - invalid PVEVNC ticket");

        public IPEndPoint RawEndpoint(ConsoleGuest guest) => inner.RawEndpoint(guest);

        public IReadOnlyList<ConsoleInputEvent> InputLog(ConsoleGuest guest) => inner.InputLog(guest);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>One Nexus host of a <see cref="ConsoleWorld"/> (Kestrel + silo) with an HTTP/1.1 and an HTTP/2 port.</summary>
internal sealed class ConsoleHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private ConsoleHost(WebApplication app, int http1Port, int http2Port)
    {
        _app = app;
        Http1 = new Uri($"http://127.0.0.1:{http1Port}/");
        Http2 = new Uri($"http://127.0.0.1:{http2Port}/");
        Http = new HttpClient { BaseAddress = Http1 };
    }

    public Uri Http1 { get; }
    public Uri Http2 { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => _app.Services;
    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();
    public string Silo => _app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

    /// <summary>The origin a page served by this host has.</summary>
    public string Origin => OriginOf(http2: false);

    /// <summary>A page's origin is the authority it was loaded from; here each protocol has its own port.</summary>
    public string OriginOf(bool http2) => $"http://127.0.0.1:{(http2 ? Http2 : Http1).Port}";

    public Uri SocketUri(Guid sessionId, bool http2 = false) =>
        new((http2 ? Http2 : Http1).ToString().Replace("http://", "ws://", StringComparison.Ordinal) + $"api/consoles/{sessionId}/ws");

    public static async Task<ConsoleHost> StartAsync(ConsoleWorld world, string clusterId, string signingKey, string[] extraArgs, ILoggerProvider? logs)
    {
        var (http1, http2) = (FreePort.Next(), FreePort.Next());
        string[] args =
        [
            $"--Nexus:Database:ConnectionString={world.ConnectionString}",
            $"--Nexus:Silo:ClusterId={clusterId}",
            $"--Nexus:Silo:SiloPort={FreePort.Next()}",
            $"--Nexus:Auth:BootstrapAdminEmail={ConsoleWorld.AdminEmail}",
            $"--Nexus:Auth:BootstrapAdminPassword={ConsoleWorld.AdminPassword}",
            $"--Nexus:Auth:SigningKey={signingKey}",
            "--Nexus:Auth:PerIpPermitLimit=100000",
            "--Nexus:Auth:PerAccountPermitLimit=100000",
            $"--Nexus:DataDirectory={Path.Combine(Path.GetTempPath(), "nexus-consoles-" + Guid.NewGuid().ToString("N"))}",
            $"--Nexus:Consoles:TokenLifetime={ConsoleWorld.TokenLifetime}",
            "--Nexus:Consoles:HeartbeatInterval=00:00:00.4",
            $"--Nexus:Consoles:HeartbeatTimeout={ConsoleWorld.HeartbeatTimeout}",
            "--Nexus:Consoles:MaxSessionsPerUser=3",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Orleans=Error",
            .. extraArgs,
        ];
        var app = await NexusApplication.BuildAsync(args, new NexusHostCustomization
        {
            ConfigureBuilder = builder =>
            {
                builder.WebHost.ConfigureKestrel(kestrel =>
                {
                    kestrel.Listen(IPAddress.Loopback, http1, listen => listen.Protocols = HttpProtocols.Http1);
                    // Cleartext HTTP/2 with prior knowledge: WebSockets over HTTP/2 arrive as extended CONNECT.
                    kestrel.Listen(IPAddress.Loopback, http2, listen => listen.Protocols = HttpProtocols.Http2);
                });
                if (logs is not null)
                {
                    builder.Logging.AddProvider(logs);
                }
                builder.Host.UseServiceProviderFactory(new LastWordServiceProviderFactory(services =>
                {
                    services.AddSingleton<IServerConfigSource>(world.Configs);
                    services.AddSingleton(GrainWorld.FastOptions);
                }));
            },
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
        return new ConsoleHost(app, http1, http2);
    }

    /// <summary>
    /// The silo vanishes from the cluster without a word (its process "crashed" as far as the cluster can tell), while
    /// Kestrel keeps this host's sockets: nothing it pumps can reach a grain any more.
    /// </summary>
    public async Task CrashSiloAsync() =>
        await _app.Services.GetRequiredService<Orleans.Runtime.Silo>().StopAsync(new CancellationToken(canceled: true));

    /// <summary>Stops without a graceful silo shutdown, like a crashed process.</summary>
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or OrleansException or ObjectDisposedException)
        {
            // Shutdown timed out, or the silo had already been crashed on purpose; disposal finishes it.
        }
        await _app.DisposeAsync();
    }
}
