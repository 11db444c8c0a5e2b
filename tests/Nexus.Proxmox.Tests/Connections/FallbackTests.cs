using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Tests.Support;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Faults;

namespace Nexus.Proxmox.Tests.Connections;

public sealed class FallbackTests : PerTestSimulator
{
    [Fact]
    public async Task When_the_primary_refuses_traffic_moves_to_the_secondary_and_back_when_it_recovers()
    {
        using var client = Simulated.Connect(Cluster);
        var events = new List<EndpointSwitchedEventArgs>();
        client.EndpointSwitched += (_, e) => { lock (events) { events.Add(e); } };
        var primary = Simulated.PrimaryOf(Cluster);
        var secondary = Simulated.SecondaryOf(Cluster);
        await client.GetVersionAsync();
        Cluster.Primary.Faults.Set(new FaultSettings { RefuseConnections = true });

        var served = await client.GetNodesAsync();

        Assert.Equal(secondary, served.Endpoint);
        Assert.True(client.IsOnSecondary);
        Assert.Equal(secondary, (await client.GetVersionAsync()).Endpoint);
        var failover = Assert.Single(events);
        Assert.Equal(primary, failover.From);
        Assert.Equal(secondary, failover.To);
        Assert.True(failover.ToSecondary);
        Assert.Contains("Refused", failover.Reason, StringComparison.Ordinal);
        Assert.Equal(Cluster.Name, failover.ServerName);

        Cluster.Primary.Faults.Clear();
        await Simulated.EventuallyAsync(() => !client.IsOnSecondary, TimeSpan.FromSeconds(5), "fail-back to the primary");

        Assert.Equal(primary, (await client.GetVersionAsync()).Endpoint);
        Assert.Equal(2, events.Count);
        Assert.False(events[1].ToSecondary);
        Assert.Equal(primary, events[1].To);
        Assert.True(events[1].At >= failover.At);
    }

    [Fact]
    public async Task When_the_primary_hangs_the_call_times_out_there_and_is_served_by_the_secondary()
    {
        using var client = Simulated.Connect(Cluster);
        var switched = 0;
        client.EndpointSwitched += (_, _) => Interlocked.Increment(ref switched);
        Cluster.Primary.Faults.Set(new FaultSettings { Hang = true });

        var served = await client.GetClusterResourcesAsync(ClusterResourceType.Vm);

        Assert.Equal(Simulated.SecondaryOf(Cluster), served.Endpoint);
        Assert.True(client.IsOnSecondary);
        Assert.Equal(1, switched);
        // While on the secondary the hanging primary is only probed; calls go straight to the secondary.
        var next = await client.GetVersionAsync();
        Assert.Equal(Simulated.SecondaryOf(Cluster), next.Endpoint);
        Assert.Equal(1, next.Attempts);

        Cluster.Primary.Faults.Clear();
        await Simulated.EventuallyAsync(() => !client.IsOnSecondary, TimeSpan.FromSeconds(5), "fail-back to the primary");
        Assert.Equal(2, switched);
    }

    [Fact]
    public async Task A_power_action_the_primary_refused_to_connect_for_is_sent_to_the_secondary()
    {
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Stopped);
        using var client = Simulated.Connect(Cluster);
        Cluster.Primary.Faults.Set(new FaultSettings { RefuseConnections = true });

        var result = await client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Start);

        Assert.Equal(PowerActionOutcome.Accepted, result.Outcome);
        Assert.Equal(Simulated.SecondaryOf(Cluster), result.Endpoint);
    }

    [Fact]
    public async Task When_both_endpoints_are_down_the_error_names_both()
    {
        using var client = Simulated.Connect(Cluster);
        Cluster.Faults.Set(new FaultSettings { RefuseConnections = true });

        var error = await Assert.ThrowsAsync<Nexus.Proxmox.Errors.ProxmoxUnreachableException>(() => client.GetVersionAsync());

        Assert.Contains(Simulated.PrimaryOf(Cluster).ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(Simulated.SecondaryOf(Cluster).ToString(), error.Message, StringComparison.Ordinal);
        Assert.False(client.IsOnSecondary);
    }
}
