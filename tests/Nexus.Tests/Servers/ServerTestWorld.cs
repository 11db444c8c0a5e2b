using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Host;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;
using Nexus.Tests.Data;
using Nexus.Tests.Support;
using Nexus.Tests.Web;

namespace Nexus.Tests.Servers;

/// <summary>Every log line a host writes, at every level, to check that no secret reaches a log.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {structured} {exception}");
        }
    }
}

/// <summary>
/// A Nexus host on its own database with recorded logs and configured credential keys, a bootstrap admin
/// signed in, and a Proxmox simulator (one cluster of three nodes) to register.
/// </summary>
internal sealed class ServerTestWorld : IAsyncDisposable
{
    public const string AdminEmail = "root@nexus.test";
    public const string AdminPassword = "root-password-1";

    private WebApplication? _app;

    private ServerTestWorld(string connectionString, ProxmoxSimulator? simulator)
    {
        ConnectionString = connectionString;
        Simulator = simulator;
    }

    public string ConnectionString { get; }
    public ProxmoxSimulator? Simulator { get; }
    public SimulatedCluster Cluster => Simulator!.Clusters[0];
    public RecordingLoggerProvider Logs { get; } = new();
    public HttpClient Http { get; private set; } = null!;
    public ApiClient Admin { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;
    public string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A fresh database and simulator, and a host with <paramref name="hostArgs"/> (credential keys).</summary>
    public static async Task<ServerTestWorld> StartAsync(bool simulator, params string[] hostArgs)
    {
        var database = new DatabaseFixture();
        await database.InitializeAsync();
        var sim = simulator
            ? await ProxmoxSimulator.StartAsync(new SimulatorOptions
            {
                Clusters = 1, NodesPerCluster = 3, GuestsPerCluster = 6, AuthFailureDelay = TimeSpan.Zero, SecondaryAddress = null,
            })
            : null;
        var world = new ServerTestWorld(database.ConnectionString, sim);
        await world.StartHostAsync(hostArgs);
        return world;
    }

    /// <summary>(Re)starts the host on the same database with <paramref name="hostArgs"/>.</summary>
    public async Task StartHostAsync(params string[] hostArgs)
    {
        await StopHostAsync();
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Nexus:Database:ConnectionString={ConnectionString}",
            $"--Nexus:Silo:ClusterId=servers-{Guid.NewGuid():N}"[..30],
            $"--Nexus:Silo:SiloPort={FreePort.Next()}",
            $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}",
            $"--Nexus:Auth:BootstrapAdminPassword={AdminPassword}",
            $"--Nexus:Auth:SigningKey={SigningKey}",
            "--Nexus:Auth:PerIpPermitLimit=100000",
            "--Logging:LogLevel:Default=Debug",
            "--Logging:LogLevel:Orleans=Warning",
            "--Logging:LogLevel:Microsoft=Information",
            .. hostArgs,
        ];
        _app = await NexusApplication.BuildAsync(args, new NexusHostCustomization
        {
            ConfigureBuilder = builder => builder.Logging.ClearProviders().AddProvider(Logs),
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address) };
        Admin = await ApiClient.SignInAsync(Http, AdminEmail, AdminPassword);
    }

    public async Task StopHostAsync()
    {
        if (_app is null)
        {
            return;
        }
        Http.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _app = null;
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

    /// <summary>The simulator's primary endpoint, its root token and the fingerprint it presents (node 1's).</summary>
    public (string Host, int Port, string Token, string Fingerprint) Endpoint() =>
        (Cluster.PrimaryUrl.Host, Cluster.PrimaryUrl.Port, Cluster.ApiToken, Cluster.Fingerprint(Cluster.NodeNames[0]));

    /// <summary>A create request for the simulator's cluster, pinned to its current certificate.</summary>
    public object PinnedServer(string name, int? port = null, string? token = null, string? fingerprint = null)
    {
        var endpoint = Endpoint();
        return new
        {
            name,
            host = endpoint.Host,
            port = port ?? endpoint.Port,
            apiToken = token ?? endpoint.Token,
            trust = new { mode = "pinned", fingerprints = new[] { fingerprint ?? endpoint.Fingerprint } },
        };
    }

    public async Task<Guid> AddServerAsync(ApiClient who, Guid tenantId, object request)
    {
        var created = await who.CallAsync(HttpMethod.Post, $"/api/tenants/{tenantId}/servers", request, HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static string Text(JsonElement element) => element.GetRawText();

    public async ValueTask DisposeAsync()
    {
        await StopHostAsync();
        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }
    }
}
