using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Contracts.Events;
using Nexus.Contracts.Hosting;
using Nexus.Contracts.Servers;
using Nexus.Grains.Servers;
using Nexus.Host;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Timeouts;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;
using Nexus.Tests.Data;
using Nexus.Tests.Support;
using Nexus.Tests.Web;
using Orleans.Configuration;
using Orleans.Streams;

namespace Nexus.Tests.Grains;

/// <summary>
/// A Proxmox simulator, a migrated database and one Nexus host whose grains poll the simulator over real HTTPS.
/// Servers are registered the way the servers API leaves them (a row in <c>nexus.servers</c>, then
/// <c>Reload</c>), with their configuration served by <see cref="TestServerConfigs"/> so that a test sets
/// thresholds and intervals directly. Client options are short so outages and fail-backs happen in seconds.
/// </summary>
internal sealed class GrainWorld : IAsyncDisposable
{
    public const string AdminEmail = "root@nexus.test";
    public const string AdminPassword = "root-password-1";

    /// <summary>Timeouts with a 1 s floor (a busy two-core machine), quick back-off and fail-back probes.</summary>
    public static readonly ProxmoxClientOptions FastOptions = new()
    {
        TimeoutPolicies = _ => new TimeoutPolicy(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        BreakerBreakDuration = TimeSpan.FromSeconds(1),
        FailbackProbeInterval = TimeSpan.FromMilliseconds(200),
        FailbackProbeTimeout = TimeSpan.FromMilliseconds(500),
        ConnectTimeout = TimeSpan.FromSeconds(1),
    };

    private readonly List<IAsyncDisposable> _subscriptions = [];

    private readonly string[] _args;

    private GrainWorld(ProxmoxSimulator simulator, WebApplication app, string connectionString, TestServerConfigs configs, ApiClient admin, HttpClient http,
        string[] args)
    {
        _args = args;
        Simulator = simulator;
        App = app;
        ConnectionString = connectionString;
        Configs = configs;
        Admin = admin;
        Http = http;
    }

    public ProxmoxSimulator Simulator { get; }
    public WebApplication App { get; private set; }
    public string ConnectionString { get; }
    public TestServerConfigs Configs { get; }
    public ApiClient Admin { get; private set; }
    public HttpClient Http { get; private set; }
    public IGrainFactory Grains => App.Services.GetRequiredService<IGrainFactory>();

    public static async Task<GrainWorld> StartAsync(int clusters = 1, int guests = 20, int nodes = 2, TimeSpan? snapshotInterval = null)
    {
        var simulator = await ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = clusters,
            NodesPerCluster = nodes,
            GuestsPerCluster = guests,
            Seed = 11,
            AuthFailureDelay = TimeSpan.Zero,
            TaskDuration = TimeSpan.FromMilliseconds(300),
            SnapshotInterval = snapshotInterval ?? TimeSpan.FromMilliseconds(200),
        });
        var database = new DatabaseFixture();
        await database.InitializeAsync();
        var configs = new TestServerConfigs();
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Nexus:Database:ConnectionString={database.ConnectionString}",
            $"--Nexus:Silo:ClusterId=grains-{Guid.NewGuid():N}",
            $"--Nexus:Silo:SiloPort={FreePort.Next()}",
            $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}",
            $"--Nexus:Auth:BootstrapAdminPassword={AdminPassword}",
            $"--Nexus:Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--Nexus:Auth:PerIpPermitLimit=100000",
            $"--Nexus:DataDirectory={Path.Combine(Path.GetTempPath(), "nexus-grains-" + Guid.NewGuid().ToString("N"))}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Orleans=Error",
        ];
        var (app, http, admin) = await StartHostAsync(args, configs);
        return new GrainWorld(simulator, app, database.ConnectionString, configs, admin, http, args);
    }

    /// <summary>Stops the host (a whole-cluster shutdown) and starts a new one on the same database.</summary>
    public async Task RestartHostAsync()
    {
        Http.Dispose();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await App.StopAsync(timeout.Token);
        }
        await App.DisposeAsync();
        var args = _args.Select(a => a.StartsWith("--Nexus:Silo:SiloPort=", StringComparison.Ordinal) ? $"--Nexus:Silo:SiloPort={FreePort.Next()}" : a).ToArray();
        (App, Http, Admin) = await StartHostAsync(args, Configs);
    }

    private static async Task<(WebApplication, HttpClient, ApiClient)> StartHostAsync(string[] args, TestServerConfigs configs)
    {
        var app = await NexusApplication.BuildAsync(args, new NexusHostCustomization
        {
            ConfigureBuilder = builder => builder.Host.UseServiceProviderFactory(new LastWordServiceProviderFactory(services =>
            {
                services.AddSingleton<IServerConfigSource>(configs);
                services.AddSingleton(FastOptions);
            })),
            ConfigureSilo = silo => silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            }),
        });
        await app.StartAsync();
        var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var admin = await ApiClient.SignInAsync(http, AdminEmail, AdminPassword);
        return (app, http, admin);
    }

    public async Task<ApiClient> NewUserAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)] + "@nexus.test";
        var password = "password-" + name;
        await Admin.CallAsync(HttpMethod.Post, "/api/users", new { email, password, fullName = name }, HttpStatusCode.Created);
        return await ApiClient.SignInAsync(Http, email, password);
    }

    public async Task<Guid> NewTenantAsync(string name)
    {
        var tenant = await Admin.CallAsync(HttpMethod.Post, "/api/tenants", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)] }, HttpStatusCode.Created);
        return tenant.GetProperty("id").GetGuid();
    }

    public Task AddMemberAsync(Guid tenantId, Guid userId, string role) =>
        Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenantId}/members/{userId}", new { role }, HttpStatusCode.Created);

    /// <summary>
    /// Registers <paramref name="cluster"/> as a server of the tenant (row, configuration, <c>Reload</c>) and waits
    /// for its first successful poll.
    /// </summary>
    public async Task<Guid> AddServerAsync(Guid tenantId, SimulatedCluster cluster, ServerHealthThresholds? thresholds = null,
        TimeSpan? pollInterval = null, bool secondary = true)
    {
        var serverId = Guid.NewGuid();
        var name = $"{cluster.Name}-{serverId.ToString("N")[..6]}";
        await using (var connection = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                "INSERT INTO nexus.servers (id, tenant_id, name, host, port, token_ciphertext, token_key_id) VALUES (@id, @t, @n, @h, @p, '\\x00', 'test')",
                connection);
            command.Parameters.AddWithValue("id", serverId);
            command.Parameters.AddWithValue("t", tenantId);
            command.Parameters.AddWithValue("n", name);
            command.Parameters.AddWithValue("h", $"{serverId:N}.sim.test");
            command.Parameters.AddWithValue("p", cluster.Primary.EndPoint.Port);
            await command.ExecuteNonQueryAsync();
        }
        var proxmox = new ProxmoxServerConfig(name, EndpointOf(cluster.Primary), secondary ? EndpointOf(cluster.Secondary!) : null,
            ProxmoxTrust.Pinned(cluster.Fingerprint(cluster.Primary.Node)), ProxmoxApiToken.Parse(cluster.ApiToken));
        Configs.Set(new ServerRuntimeConfig(serverId, tenantId, name, true, proxmox, pollInterval ?? TimeSpan.FromSeconds(1),
            thresholds ?? new ServerHealthThresholds(80, 2000, TimeSpan.FromSeconds(60), true)));
        var grain = Grains.GetGrain<IProxmoxServerGrain>(serverId);
        await grain.Reload();
        await Eventually.TrueAsync(() => grain.GetStatus().Result.LastSuccessAt is not null, TimeSpan.FromSeconds(20), "the first poll succeeded");
        return serverId;
    }

    /// <summary>Collects the tenant's stream events, as a browser's connection would receive them.</summary>
    public async Task<EventLog> SubscribeAsync(Guid tenantId)
    {
        var log = new EventLog();
        var stream = App.Services.GetRequiredService<IClusterClient>().GetStreamProvider(OrleansNames.StreamProvider)
            .GetStream<TenantEvent>(StreamId.Create(TenantStreams.Namespace, tenantId));
        var handle = await stream.SubscribeAsync((e, _) =>
        {
            log.Add(e);
            return Task.CompletedTask;
        });
        _subscriptions.Add(new AsyncDisposable(() => handle.UnsubscribeAsync()));
        return log;
    }

    public async Task<long> CountAuditAsync(Guid tenantId, string action, string? targetId = null)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM nexus.audit_log WHERE tenant_id = @t AND action = @a AND (@id::text IS NULL OR target_id = @id)", connection);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("a", action);
        command.Parameters.Add(new Npgsql.NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)targetId ?? DBNull.Value });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<string?> LastAuditDetailsAsync(Guid tenantId, string action)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT details::text || ' outcome=' || outcome || ' actor=' || coalesce(actor_id::text, '-') FROM nexus.audit_log WHERE tenant_id = @t AND action = @a ORDER BY id DESC LIMIT 1",
            connection);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("a", action);
        return (string?)await command.ExecuteScalarAsync();
    }

    public static ProxmoxEndpoint EndpointOf(SimulatedListener listener) => new(listener.EndPoint.Address.ToString(), listener.EndPoint.Port);

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }
        Http.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    private sealed class AsyncDisposable(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }
}

/// <summary>The events a test received on a tenant's stream, in arrival order.</summary>
internal sealed class EventLog
{
    private readonly ConcurrentQueue<TenantEvent> _events = new();

    public IReadOnlyList<TenantEvent> All => _events.ToArray();

    public void Add(TenantEvent e) => _events.Enqueue(e);

    public IReadOnlyList<T> Bodies<T>() where T : TenantEventBody => All.Select(e => e.Body).OfType<T>().ToList();

    public Task WaitForAsync<T>(Func<T, bool> match, string what, int seconds = 20) where T : TenantEventBody =>
        Eventually.TrueAsync(() => Bodies<T>().Any(match), TimeSpan.FromSeconds(seconds), what);
}

/// <summary>Server configurations for the grains, set by the test instead of read from encrypted rows.</summary>
internal sealed class TestServerConfigs : IServerConfigSource
{
    private readonly ConcurrentDictionary<Guid, ServerRuntimeConfig> _configs = new();

    public void Set(ServerRuntimeConfig config) => _configs[config.ServerId] = config;

    public void Remove(Guid serverId) => _configs.TryRemove(serverId, out _);

    public Task<ServerRuntimeConfig?> LoadAsync(Guid serverId, CancellationToken ct) => Task.FromResult(_configs.GetValueOrDefault(serverId));

    public Task<IReadOnlyList<Guid>> ListActiveAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Guid>>(_configs.Values.Where(c => c.IsActive).Select(c => c.ServerId).ToList());
}

/// <summary>
/// Builds the host's container with the test's registrations added last, so they replace the host's own
/// whatever order the host registers things in.
/// </summary>
internal sealed class LastWordServiceProviderFactory(Action<IServiceCollection> lastWord) : IServiceProviderFactory<IServiceCollection>
{
    public IServiceCollection CreateBuilder(IServiceCollection services) => services;

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder)
    {
        lastWord(containerBuilder);
        return containerBuilder.BuildServiceProvider();
    }
}
