using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Host;
using Orleans.Configuration;

namespace Nexus.Tests.Support;

/// <summary>
/// One real Nexus host (Kestrel + co-hosted silo) in this test process, on its own loopback ports, against a
/// real PostgreSQL database. Several of them with the same database form one Orleans cluster.
/// </summary>
internal sealed class NexusTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private NexusTestHost(WebApplication app, int siloPort)
    {
        _app = app;
        SiloPort = siloPort;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First());
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public int SiloPort { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => _app.Services;
    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();
    public SiloAddress SiloAddress => _app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    public static async Task<NexusTestHost> StartAsync(string connectionString, string clusterId, params string[] extraArgs)
    {
        var siloPort = FreePort.Next();
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Nexus:Database:ConnectionString={connectionString}",
            $"--Nexus:Silo:ClusterId={clusterId}",
            $"--Nexus:Silo:SiloPort={siloPort}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Orleans=Error",
            .. extraArgs,
        ];
        var app = await NexusApplication.BuildAsync(args, new NexusHostCustomization
        {
            // Detect a killed silo in seconds rather than the production default of about a minute.
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
        return new NexusTestHost(app, siloPort);
    }

    /// <summary>Stops without a graceful silo shutdown: the silo does not leave the membership table, like a crashed process.</summary>
    public async Task KillAsync()
    {
        _stopped = true;
        await _app.StopAsync(new CancellationToken(canceled: true));
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_stopped)
        {
            _stopped = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }
    }
}
