using System.Net;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Timeouts;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;

namespace Nexus.Proxmox.Tests.Support;

/// <summary>Starts the Proxmox simulator in-process and builds client configurations for its clusters.</summary>
internal static class Simulated
{
    public static Task<ProxmoxSimulator> StartAsync() => ProxmoxSimulator.StartAsync(new SimulatorOptions
    {
        Clusters = 1,
        NodesPerCluster = 2,
        GuestsPerCluster = 16,
        Seed = 7,
        AuthFailureDelay = TimeSpan.Zero,
        TaskDuration = TimeSpan.FromMilliseconds(200),
        SnapshotInterval = TimeSpan.FromSeconds(1),
        SecondaryAddress = IPAddress.Parse("127.0.0.2"),
    });

    /// <summary>
    /// Timeouts, back-off and probes short enough for a test to watch them work, yet with a 1 s floor so a busy
    /// two-core machine running test classes in parallel does not time out loopback calls.
    /// </summary>
    public static ProxmoxClientOptions FastOptions { get; } = new()
    {
        TimeoutPolicies = _ => new TimeoutPolicy(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        BreakerBreakDuration = TimeSpan.FromSeconds(1),
        FailbackProbeInterval = TimeSpan.FromMilliseconds(200),
        FailbackProbeTimeout = TimeSpan.FromMilliseconds(500),
        ConnectTimeout = TimeSpan.FromSeconds(1),
    };

    /// <summary>A 300 ms floor, for watching the learned timeout itself.</summary>
    public static ProxmoxClientOptions TightOptions { get; } = FastOptions with
    {
        TimeoutPolicies = _ => new TimeoutPolicy(TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3)),
    };

    public static ProxmoxEndpoint PrimaryOf(SimulatedCluster cluster) => EndpointOf(cluster.Primary);

    public static ProxmoxEndpoint SecondaryOf(SimulatedCluster cluster) => EndpointOf(cluster.Secondary!);

    public static ProxmoxEndpoint EndpointOf(SimulatedListener listener) =>
        new(listener.EndPoint.Address.ToString(), listener.EndPoint.Port);

    /// <summary>The pin a person would accept: the fingerprint of the node that answers on the listeners.</summary>
    public static ProxmoxTrust PinOf(SimulatedCluster cluster) => ProxmoxTrust.Pinned(cluster.Fingerprint(cluster.Primary.Node));

    public static ProxmoxServerConfig Config(SimulatedCluster cluster, ProxmoxTrust? trust = null, string? token = null, bool secondary = true) =>
        new(cluster.Name, PrimaryOf(cluster), secondary ? SecondaryOf(cluster) : null, trust ?? PinOf(cluster),
            ProxmoxApiToken.Parse(token ?? cluster.ApiToken));

    public static ProxmoxConnection Connect(SimulatedCluster cluster, ProxmoxTrust? trust = null, string? token = null,
        bool secondary = true, ProxmoxClientOptions? options = null) =>
        new(Config(cluster, trust, token, secondary), options ?? FastOptions);

    public static GuestInfo Guest(SimulatedCluster cluster, string type, GuestRunState state, int skip = 0) =>
        cluster.Guests.Where(g => g.Type == type && g.State == state && !g.Template).Skip(skip).First();

    /// <summary>Waits for a condition that a background activity (a probe, a task) makes true.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {within.TotalSeconds} s: {what}");
            }
            await Task.Delay(50);
        }
    }
}

/// <summary>One simulator per test class instance (xunit makes one per test): fault injection cannot leak.</summary>
public abstract class PerTestSimulator : IAsyncLifetime
{
    protected ProxmoxSimulator Simulator { get; private set; } = null!;

    protected SimulatedCluster Cluster => Simulator.Clusters[0];

    public async Task InitializeAsync() => Simulator = await Simulated.StartAsync();

    public async Task DisposeAsync() => await Simulator.DisposeAsync();
}

/// <summary>A simulator shared by read-only tests of one class.</summary>
public sealed class SharedSimulator : IAsyncLifetime
{
    public ProxmoxSimulator Simulator { get; private set; } = null!;

    public SimulatedCluster Cluster => Simulator.Clusters[0];

    public async Task InitializeAsync() => Simulator = await Simulated.StartAsync();

    public async Task DisposeAsync() => await Simulator.DisposeAsync();
}
