using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Timeouts;
using Nexus.Relay.Closing;
using Nexus.Relay.Hosting;
using Nexus.Relay.Policy;
using Nexus.Relay.Pumping;
using Nexus.Relay.Registry;
using Nexus.Relay.Upstream;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Consoles;
using Nexus.Simulator.Hosting;

namespace Nexus.Relay.Tests.Support;

/// <summary>A console session the test set up, as the control plane would after a successful claim.</summary>
internal sealed record PendingSession(UpstreamOpener Opener, ConsolePolicy Policy, PumpRegistry? Registry = null)
{
    public TaskCompletionSource<PumpOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// The real simulator (cluster1 current Proxmox, cluster2 with pre-9.1.7 VNC tickets), a Nexus.Proxmox connection to
/// each (pinned TLS), and an in-test Kestrel relay endpoint: <c>ws://127.0.0.1:…/api/consoles/{id}/ws</c> (HTTP/1.1)
/// and <c>wss://127.0.0.1:…</c> (HTTP/2 only, throwaway self-signed certificate).
/// </summary>
public sealed class RelayFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<Guid, PendingSession> _pending = new();
    private readonly ConcurrentQueue<GuestInfo> _freshGuests = new();
    private readonly ConcurrentQueue<GuestInfo> _freshLegacyGuests = new();
    private WebApplication? _app;
    private X509Certificate2? _certificate;

    internal ProxmoxSimulator Simulator { get; private set; } = null!;
    internal SimulatedCluster Cluster => Simulator.Clusters[0];
    internal SimulatedCluster LegacyCluster => Simulator.Clusters[1];
    internal ProxmoxConnection Connection { get; private set; } = null!;
    internal ProxmoxConnection LegacyConnection { get; private set; } = null!;
    internal PumpRegistry Registry { get; private set; } = null!;
    internal Uri Http1Base { get; private set; } = null!;
    internal Uri Http2Base { get; private set; } = null!;
    internal string CertificateThumbprint { get; private set; } = string.Empty;
    internal CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Simulator = await ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = 2,
            NodesPerCluster = 2,
            GuestsPerCluster = 40,
            ContainerShare = 0,
            Seed = 11,
            AuthFailureDelay = TimeSpan.Zero,
            SnapshotInterval = TimeSpan.FromSeconds(5),
            SecondaryAddress = null,
            ProfileForCluster = i => new ClusterProfile(LegacyVncTicket: i == 1),
        });
        Connection = Connect(Cluster);
        LegacyConnection = Connect(LegacyCluster);
        foreach (var (cluster, queue) in new[] { (Cluster, _freshGuests), (LegacyCluster, _freshLegacyGuests) })
        {
            foreach (var guest in cluster.Guests.Where(g => g.Type == "qemu" && !g.Template))
            {
                cluster.SetGuestStatus(guest.Vmid, "running");
                queue.Enqueue(guest);
            }
        }

        _certificate = SelfSigned();
        CertificateThumbprint = _certificate.GetCertHashString(HashAlgorithmName.SHA256);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(Logs);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(_certificate);
            });
        });
        builder.Services.AddConsoleRelay(options =>
        {
            options.CloseGracePeriod = TimeSpan.FromSeconds(1);
            options.HandshakeTimeout = TimeSpan.FromSeconds(10);
        });
        _app = builder.Build();
        _app.UseWebSockets();
        // Map (not MapGet): HTTP/2 WebSockets arrive as CONNECT.
        _app.Map("/api/consoles/{id:guid}/ws", ServeConsoleAsync);
        await _app.StartAsync();
        Registry = _app.Services.GetRequiredService<PumpRegistry>();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Http1Base = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("http://", "ws://", StringComparison.Ordinal));
        Http2Base = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)).Replace("https://", "wss://", StringComparison.Ordinal));
    }

    /// <summary>The control plane's part: the claimed session's opener and policy, keyed by session id.</summary>
    internal (Guid Id, PendingSession Session) Register(UpstreamOpener opener, ConsolePolicy? policy = null, PumpRegistry? registry = null)
    {
        var id = Guid.NewGuid();
        var session = new PendingSession(opener, policy ?? ConsolePolicy.FullControl, registry);
        _pending[id] = session;
        return (id, session);
    }

    /// <summary>A running VM no other test has used (its input log is empty).</summary>
    internal GuestInfo FreshGuest(bool legacy = false) =>
        (legacy ? _freshLegacyGuests : _freshGuests).TryDequeue(out var guest) ? guest : throw new InvalidOperationException("out of guests");

    internal UpstreamOpener OpenerFor(GuestInfo guest, bool legacy = false) =>
        ProxmoxUpstream.Open(legacy ? LegacyConnection : Connection, guest.Node, GuestType.Qemu, guest.Vmid);

    internal IReadOnlyList<ConsoleInputEvent> InputLog(GuestInfo guest, bool legacy = false) =>
        (legacy ? LegacyCluster : Cluster).Consoles.InputLog(new ConsoleGuest(guest.Node, guest.Type, guest.Vmid, guest.Name));

    internal Uri Http1Url(Guid id) => new(Http1Base, $"/api/consoles/{id}/ws");

    internal Uri Http2Url(Guid id) => new(Http2Base, $"/api/consoles/{id}/ws");

    /// <summary>An HTTP/2-capable invoker that trusts exactly the throwaway certificate.</summary>
    internal HttpMessageInvoker PinnedInvoker()
    {
        var pin = CertificateThumbprint;
        return new HttpMessageInvoker(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), pin, StringComparison.OrdinalIgnoreCase),
            },
        });
    }

    /// <summary>Waits for the pump's outcome (the endpoint records it when RunAsync returns).</summary>
    internal static async Task<PumpOutcome> OutcomeAsync(PendingSession session) =>
        await session.Outcome.Task.WaitAsync(TimeSpan.FromSeconds(10));

    private async Task ServeConsoleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var id = Guid.Parse((string)context.GetRouteValue("id")!);
        var subProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains("binary") ? "binary" : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(Registry.Options.CreateAcceptContext(subProtocol));
        if (!_pending.TryRemove(id, out var session))
        {
            // What the control plane does when the claim fails.
            await socket.RejectAsync(ConsoleClose.TokenInvalid);
            return;
        }
        try
        {
            var registry = session.Registry ?? Registry;
            session.Outcome.TrySetResult(await registry.RunAsync(id, socket, session.Opener, session.Policy, context.RequestAborted));
        }
        catch (Exception e)
        {
            session.Outcome.TrySetException(e);
        }
    }

    private static ProxmoxConnection Connect(SimulatedCluster cluster)
    {
        var endpoint = new ProxmoxEndpoint(cluster.Primary.EndPoint.Address.ToString(), cluster.Primary.EndPoint.Port);
        var config = new ProxmoxServerConfig(cluster.Name, endpoint, null,
            ProxmoxTrust.Pinned(cluster.Fingerprints.Values), ProxmoxApiToken.Parse(cluster.ApiToken));
        return new ProxmoxConnection(config, new ProxmoxClientOptions
        {
            TimeoutPolicies = _ => new TimeoutPolicy(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)),
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=relay-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
        await Connection.DisposeAsync();
        await LegacyConnection.DisposeAsync();
        await Simulator.DisposeAsync();
        _certificate?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RelayCollection : ICollectionFixture<RelayFixture>
{
    public const string Name = "relay";
}
