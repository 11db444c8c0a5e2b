using Microsoft.Extensions.DependencyInjection;
using Nexus.Simulator.Clusters;
using Nexus.Tests.Support;
using Nexus.Tests.Web;
using Orleans.Runtime;

namespace Nexus.Tests.Live;

/// <summary>Three real hosts, one cluster, no SignalR backplane: each silo pushes the tenant streams to its own connections.</summary>
public sealed class LiveScaleOutTests
{
    [Fact]
    public async Task A_client_receives_events_of_grains_on_another_host_and_after_its_host_dies_resyncs_on_another_without_missing_state()
    {
        await using var live = await LiveWorld.StartAsync(hosts: 3);
        await Eventually.TrueAsync(() => live.Hosts.All(h => ActiveSilos(h) == 3), TimeSpan.FromSeconds(60), "three active silos");
        var tenant = await live.NewTenantAsync("Spread");
        var serverId = await live.AddServerAsync(tenant);
        var member = await live.NewUserAsync("spread");
        await live.AddMemberAsync(tenant, member.UserId, "viewer");

        // The client's host is one where neither the server's grain nor the tenant's grain (the events' producer
        // and sequencer) lives, so every event it receives crossed silos through the stream.
        var producers = await SilosOfAsync(live.Host, serverId, tenant);
        var clientHost = live.Hosts.Skip(1).FirstOrDefault(h => !producers.Contains(h.SiloAddress))
            ?? live.Hosts.First(h => !producers.Contains(h.SiloAddress));
        Assert.DoesNotContain(clientHost.SiloAddress, producers);
        var client = await LiveClient.ConnectAsync(clientHost.BaseAddress, member.AccessToken!);
        var mirror = await LiveMirror.StartAsync(client, Api(clientHost, member), tenant);

        var first = live.Guest(GuestRunState.Running);
        live.SetOutside(first.Vmid, "stopped");
        await client.WaitForAsync(e => LiveClient.Reports(e, first.Vmid, "stopped"), TimeSpan.FromSeconds(LiveWorld.PollSeconds + 1), "an event produced on another host");
        Assert.DoesNotContain(clientHost.SiloAddress, await SilosOfAsync(live.Host, serverId, tenant));

        // The client's host dies; while the client is away, Proxmox changes.
        var closed = new TaskCompletionSource();
        client.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await clientHost.KillAsync();
        live.Hosts.Remove(clientHost);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = live.Guest(GuestRunState.Running);
        live.SetOutside(second.Vmid, "stopped");
        live.SetOutside(first.Vmid, "running");

        // It reconnects to another host (as a load balancer would send it) and resyncs.
        var survivor = live.Hosts[^1];
        await using var again = await Eventually.ResultAsync(
            () => LiveClient.ConnectAsync(survivor.BaseAddress, member.AccessToken!), TimeSpan.FromSeconds(30), "reconnecting to a surviving host");
        await Eventually.ResultAsync(async () =>
        {
            await mirror.AttachAsync(again, Api(survivor, member));
            return true;
        }, TimeSpan.FromSeconds(60), "joining and loading the snapshot on the surviving host");

        var third = live.Guest(GuestRunState.Running, first.Vmid, second.Vmid);
        live.SetOutside(third.Vmid, "stopped");
        await Eventually.TrueAsync(
            () => live.Cluster.Guests.Where(g => g.Type == "qemu").All(g => mirror.StatusOf(serverId, g.Vmid) == Status(g.State)),
            TimeSpan.FromSeconds(60), "the client's view matches Proxmox again");
        Assert.Equal("stopped", mirror.StatusOf(serverId, second.Vmid));
        Assert.Equal("running", mirror.StatusOf(serverId, first.Vmid));
        Assert.Equal("stopped", mirror.StatusOf(serverId, third.Vmid));
    }

    [Fact]
    public async Task When_the_silo_polling_a_server_stops_gracefully_another_silo_polls_it_at_once()
    {
        await using var live = await LiveWorld.StartAsync(hosts: 2);
        await Eventually.TrueAsync(() => live.Hosts.All(h => ActiveSilos(h) == 2), TimeSpan.FromSeconds(60), "two active silos");
        var tenant = await live.NewTenantAsync("Handover");
        var serverId = await live.AddServerAsync(tenant);
        var statistics = await live.Host.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var pollerSilo = Assert.Single(statistics,
            s => s.GrainType.Contains("ProxmoxServerGrain", StringComparison.Ordinal) && s.GrainId.TryGetGuidKey(out var key, out _) && key == serverId).SiloAddress;
        var poller = live.Hosts.Single(h => h.SiloAddress.Equals(pollerSilo));
        var survivor = live.Hosts.Single(h => h != poller);
        await using var client = await LiveClient.ConnectAsync(survivor.BaseAddress, live.Admin.AccessToken!);
        await client.JoinAsync(tenant);

        // A rolling upgrade stops the silo; nothing reads the server afterwards (no listing, no status call).
        await poller.DisposeAsync();
        live.Hosts.Remove(poller);
        var guest = live.Guest(GuestRunState.Running);
        live.SetOutside(guest.Vmid, "stopped");

        // Not at the keep-polling reminder's next tick (minutes away): within a poll interval or two.
        await client.WaitForAsync(e => LiveClient.Reports(e, guest.Vmid, "stopped"), TimeSpan.FromSeconds(2 * LiveWorld.PollSeconds + 5),
            "the change polled by the surviving silo");
    }

    private static ApiClient Api(LiveHost host, ApiClient user) => new(host.Http) { AccessToken = user.AccessToken };

    private static string Status(GuestRunState state) => state switch
    {
        GuestRunState.Running => "running",
        GuestRunState.Paused => "paused",
        _ => "stopped",
    };

    private static async Task<HashSet<SiloAddress>> SilosOfAsync(LiveHost host, params Guid[] keys)
    {
        var statistics = await host.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics
            .Where(s => s.GrainId.TryGetGuidKey(out var key, out _) && keys.Contains(key))
            .Select(s => s.SiloAddress)
            .ToHashSet();
    }

    private static int ActiveSilos(LiveHost host) =>
        host.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
}
