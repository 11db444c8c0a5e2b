using System.Net;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.ConsoleApi;
using Nexus.Simulator.Consoles;

namespace Nexus.Simulator.Hosting;

/// <summary>
/// Start-up options of <see cref="ProxmoxSimulator"/>. Defaults follow real Proxmox VE timing (10 s resource
/// snapshots, 3 s delay on every 401); tests shorten them.
/// </summary>
public sealed class SimulatorOptions
{
    public int Clusters { get; set; } = 1;
    public int NodesPerCluster { get; set; } = 3;
    public int GuestsPerCluster { get; set; } = 40;

    /// <summary>Share (0..1) of guests that are LXC containers.</summary>
    public double ContainerShare { get; set; } = 0.25;

    /// <summary>Inventory, names and metrics are a function of this seed (TLS keys and secrets are not).</summary>
    public int Seed { get; set; } = 42;

    public string ClusterNamePrefix { get; set; } = "cluster";

    public IPAddress PrimaryAddress { get; set; } = IPAddress.Loopback;

    /// <summary>Second listener per cluster (a Tailscale-like path to the same node); null for none.</summary>
    public IPAddress? SecondaryAddress { get; set; } = IPAddress.Parse("127.0.0.2");

    /// <summary>How often <c>/cluster/resources</c> values are refreshed (pvestatd's broadcast is every 10 s).</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a power-action task runs before it ends.</summary>
    public TimeSpan TaskDuration { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>pveproxy delays every 401 by 3 s; tests set zero.</summary>
    public TimeSpan AuthFailureDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Password of <c>root@pam</c> for ticket login.</summary>
    public string RootPassword { get; set; } = "simulator";

    /// <summary>Version switches for every cluster, unless <see cref="ProfileForCluster"/> says otherwise.</summary>
    public ClusterProfile Profile { get; set; } = new();

    /// <summary>Per-cluster version switches by cluster index (0-based).</summary>
    public Func<int, ClusterProfile>? ProfileForCluster { get; set; }

    /// <summary>Port of the plain-HTTP fault/admin endpoint on 127.0.0.1: null for none, 0 for any free port.</summary>
    public int? AdminPort { get; set; }

    /// <summary>Wall clock for tickets, UPIDs and metrics; tests shift it to cross the ticket window.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Builds each cluster's console back-end. Default: <see cref="ClusterConsoles.Create"/> with the cluster's version switch and clock.</summary>
    public Func<ConsoleClusterContext, IClusterConsoles>? ConsoleFactory { get; set; }

    public void Validate()
    {
        if (Clusters is < 1 or > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(Clusters), Clusters, "1…5000 clusters");
        }
        if (NodesPerCluster is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(NodesPerCluster), NodesPerCluster, "1…32 nodes (a corosync cluster's practical limit)");
        }
        if (GuestsPerCluster is < 0 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(GuestsPerCluster), GuestsPerCluster, "0…10000 guests");
        }
        if (ContainerShare is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ContainerShare), ContainerShare, "0…1");
        }
        if (SnapshotInterval <= TimeSpan.Zero || TaskDuration < TimeSpan.Zero || AuthFailureDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SnapshotInterval), "intervals must be positive, durations not negative");
        }
        if (!IPAddress.IsLoopback(PrimaryAddress) || (SecondaryAddress is not null && !IPAddress.IsLoopback(SecondaryAddress)))
        {
            throw new ArgumentException("the simulator listens on loopback addresses only");
        }
        if (AdminPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(AdminPort), AdminPort, "0…65535");
        }
        ArgumentException.ThrowIfNullOrEmpty(RootPassword);
        ArgumentException.ThrowIfNullOrEmpty(ClusterNamePrefix);
    }
}
