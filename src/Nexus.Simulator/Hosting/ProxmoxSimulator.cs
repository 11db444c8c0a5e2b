using System.Net;
using System.Net.Security;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Simulator.Api;
using Nexus.Simulator.Api.Endpoints;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Faults;

namespace Nexus.Simulator.Hosting;

/// <summary>
/// Many simulated Proxmox VE clusters in one process, each on its own loopback HTTPS listener(s), served by
/// one Kestrel server. Start with <see cref="StartAsync"/>; dispose to stop.
/// </summary>
/// <example>
/// <code>
/// await using var sim = await ProxmoxSimulator.StartAsync(new SimulatorOptions { Clusters = 2, AuthFailureDelay = TimeSpan.Zero });
/// var cluster = sim.Clusters[0];
/// // cluster.PrimaryUrl, cluster.RootToken.AuthorizationHeader, cluster.Fingerprint("pve1"), cluster.Primary.Faults …
/// </code>
/// </example>
public sealed class ProxmoxSimulator : IAsyncDisposable
{
    private readonly WebApplication _api;
    private readonly AdminServer? _admin;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _snapshots;

    private ProxmoxSimulator(SimulatorOptions options, IReadOnlyList<SimulatedCluster> clusters, WebApplication api, AdminServer? admin)
    {
        Options = options;
        Clusters = clusters;
        _api = api;
        _admin = admin;
        _snapshots = RefreshSnapshotsAsync(options.SnapshotInterval, _stopping.Token);
    }

    public SimulatorOptions Options { get; }

    public IReadOnlyList<SimulatedCluster> Clusters { get; }

    /// <summary>The plain-HTTP fault/admin endpoint, when <see cref="SimulatorOptions.AdminPort"/> was set.</summary>
    public Uri? AdminUrl => _admin?.Url;

    public SimulatedCluster Cluster(string name) =>
        Clusters.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"no cluster {name}");

    public static async Task<ProxmoxSimulator> StartAsync(SimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatorOptions();
        options.Validate();

        var clusters = new List<SimulatedCluster>(options.Clusters);
        var byEndpoint = new Dictionary<IPEndPoint, (SimulatedCluster Cluster, SimulatedListener Listener)>();
        using (var ports = new PortAllocator())
        {
            for (var i = 0; i < options.Clusters; i++)
            {
                var primary = ports.Next(options.PrimaryAddress);
                var secondary = options.SecondaryAddress is { } address ? ports.Next(address) : null;
                var profile = options.ProfileForCluster?.Invoke(i) ?? options.Profile;
                var cluster = new SimulatedCluster(i, $"{options.ClusterNamePrefix}{i + 1}", options, profile, primary, secondary);
                clusters.Add(cluster);
                foreach (var listener in cluster.Listeners)
                {
                    byEndpoint[listener.EndPoint] = (cluster, listener);
                }
            }
        }

        (SimulatedCluster, SimulatedListener)? Lookup(IPAddress address, int port) =>
            byEndpoint.TryGetValue(new IPEndPoint(address, port), out var hit) ? hit : null;

        var api = BuildApi(byEndpoint, Lookup);
        await api.StartAsync(cancellationToken).ConfigureAwait(false);

        AdminServer? admin = null;
        if (options.AdminPort is { } adminPort)
        {
            admin = await AdminServer.StartAsync(clusters, adminPort, cancellationToken).ConfigureAwait(false);
        }
        return new ProxmoxSimulator(options, clusters, api, admin);
    }

    /// <summary>A human-readable listing of every cluster: URLs, token, password, node fingerprints.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var cluster in Clusters)
        {
            text.AppendLine($"cluster {cluster.Name} (PVE {cluster.Profile.PveVersion}, {cluster.NodeNames.Count} nodes, {cluster.Guests.Count} guests)");
            text.AppendLine($"  primary    {cluster.PrimaryUrl}api2/json");
            if (cluster.SecondaryUrl is { } secondary)
            {
                text.AppendLine($"  secondary  {secondary}api2/json");
            }
            text.AppendLine($"  api token  {cluster.ApiToken}");
            text.AppendLine($"  login      root@pam / {cluster.RootPassword}");
            foreach (var token in cluster.Tokens.Where(t => t != cluster.RootToken))
            {
                text.AppendLine($"  token      {token.Value}  ({token.Privileges.Count} privileges)");
            }
            foreach (var (node, fingerprint) in cluster.Fingerprints)
            {
                text.AppendLine($"  {node,-10} {fingerprint}");
            }
        }
        if (AdminUrl is { } admin)
        {
            text.AppendLine($"fault admin {admin}");
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _snapshots.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        // Hung and upgraded connections would hold a graceful stop for its full timeout: abort after a second.
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _api.StopAsync(grace.Token).ConfigureAwait(false);
        await _api.DisposeAsync().ConfigureAwait(false);
        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var cluster in Clusters)
        {
            await cluster.DisposeConsolesAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    private async Task RefreshSnapshotsAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var cluster in Clusters)
            {
                cluster.RefreshSnapshot();
            }
        }
    }

    private static WebApplication BuildApi(
        Dictionary<IPEndPoint, (SimulatedCluster Cluster, SimulatedListener Listener)> byEndpoint,
        Func<IPAddress, int, (SimulatedCluster, SimulatedListener)?> lookup)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
        builder.Services.RemoveAll<IConnectionListenerFactory>();
        builder.Services.AddSingleton<IConnectionListenerFactory>(sp => new RefusableListenerFactory(
            new SocketTransportFactory(Microsoft.Extensions.Options.Options.Create(new SocketTransportOptions()), sp.GetRequiredService<ILoggerFactory>()),
            endPoint => endPoint is IPEndPoint ip && byEndpoint.TryGetValue(ip, out var hit) ? hit.Listener : null));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var (endPoint, (cluster, listener)) in byEndpoint)
            {
                kestrel.Listen(endPoint, listen =>
                {
                    // pveproxy speaks HTTP/1.1 only (and error texts travel in the reason phrase, which HTTP/2 lacks).
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(FaultMiddleware.ForConnections(listener));
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        // Resolved per handshake, so a rotated certificate is served from the next connection on.
                        OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = cluster.Pki.For(listener.Node).Context,
                            ApplicationProtocols = [SslApplicationProtocol.Http11],
                        }),
                    });
                });
            }
        });

        var routes = new ApiRouteTable();
        AccessEndpoints.Map(routes);
        VersionEndpoints.Map(routes);
        ClusterEndpoints.Map(routes);
        NodeEndpoints.Map(routes);
        GuestEndpoints.Map(routes);
        PowerEndpoints.Map(routes);
        RrdEndpoints.Map(routes);
        TaskEndpoints.Map(routes);
        ConsoleEndpoints.Map(routes);
        var dispatcher = new ApiDispatcher(routes, lookup);

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var local = context.Connection.LocalIpAddress;
            if (local is not null && lookup(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local, context.Connection.LocalPort) is var (cluster, listener))
            {
                await FaultMiddleware.ApplyAsync(context, cluster, listener, () => next(context));
                return;
            }
            await next(context);
        });
        // pveproxy never pings an upgraded socket.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(dispatcher.HandleAsync);
        return app;
    }
}
