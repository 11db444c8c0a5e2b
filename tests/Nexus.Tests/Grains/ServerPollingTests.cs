using System.Net;
using Nexus.Contracts.Events;
using Nexus.Contracts.Servers;
using Nexus.Grains.Audit;
using Nexus.Grains.Servers;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Faults;
using Nexus.Tests.Support;

namespace Nexus.Tests.Grains;

/// <summary>A server's grain polling the simulator over HTTPS: deltas, health and alerts, fallback, retirement.</summary>
public sealed class ServerPollingTests(ServerPollingTests.World world) : IClassFixture<ServerPollingTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal GrainWorld Grains { get; private set; } = null!;

        public async Task InitializeAsync() => Grains = await GrainWorld.StartAsync(clusters: 5, guests: 12);

        public async Task DisposeAsync() => await Grains.DisposeAsync();
    }

    private GrainWorld W => world.Grains;

    [Fact]
    public async Task A_vm_stopped_outside_nexus_is_published_as_a_delta_and_versions_increase_by_one()
    {
        var cluster = W.Simulator.Clusters[0];
        var tenant = await W.NewTenantAsync("Delta");
        var events = await W.SubscribeAsync(tenant);
        var server = await W.AddServerAsync(tenant, cluster);
        var running = cluster.Guests.First(g => g.State == GuestRunState.Running && !g.Template);
        await events.WaitForAsync<VmStatesChanged>(c => c.ServerId == server && c.Changed.Count == cluster.Guests.Count, "the first poll published every guest");

        cluster.SetGuestStatus(running.Vmid, "stopped");

        await events.WaitForAsync<VmStatesChanged>(
            c => c.Changed.Any(g => g.VmId == running.Vmid && g.Status == "stopped"), $"guest {running.Vmid} was published as stopped");
        var delta = events.Bodies<VmStatesChanged>().Last(c => c.Changed.Any(g => g.VmId == running.Vmid && g.Status == "stopped"));
        Assert.True(delta.Changed.Count < cluster.Guests.Count, "only what changed is published");
        var versions = events.All.Select(e => e.Version).ToList();
        Assert.Equal(Enumerable.Range((int)versions[0], versions.Count).Select(v => (long)v), versions);
        var guest = await W.Grains.GetGrain<IProxmoxServerGrain>(server).GetGuest(running.Type, running.Vmid);
        Assert.Equal("stopped", guest!.Status);
    }

    [Fact]
    public async Task Refused_connections_make_the_server_offline_with_one_alert_and_then_recovered()
    {
        var cluster = W.Simulator.Clusters[1];
        var tenant = await W.NewTenantAsync("Outage");
        var events = await W.SubscribeAsync(tenant);
        var server = await W.AddServerAsync(tenant, cluster, new ServerHealthThresholds(80, 2000, TimeSpan.FromSeconds(2), true));
        var grain = W.Grains.GetGrain<IProxmoxServerGrain>(server);
        await Eventually.TrueAsync(() => grain.GetStatus().Result.Health == ServerHealth.Online, TimeSpan.FromSeconds(10), "online");

        cluster.Faults.Set(new FaultSettings { RefuseConnections = true });
        await Eventually.TrueAsync(() => grain.GetStatus().Result.Health == ServerHealth.Offline, TimeSpan.FromSeconds(30), "offline");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(ServerHealth.Offline, (await grain.GetStatus()).Health);
        Assert.Equal(1, await W.CountAuditAsync(tenant, GrainAuditActions.ServerOffline, server.ToString()));
        Assert.Single(events.Bodies<ServerAlertRaised>(), a => a.ServerId == server && a.Kind == "offline");

        cluster.Faults.Clear();
        await Eventually.TrueAsync(() => grain.GetStatus().Result.Health == ServerHealth.Online, TimeSpan.FromSeconds(30), "online again");
        Assert.Equal(1, await W.CountAuditAsync(tenant, GrainAuditActions.ServerRecovered, server.ToString()));
        await events.WaitForAsync<ServerAlertRaised>(a => a.ServerId == server && a.Kind == "recovered", "the recovery was published");
        Assert.Equal(0, await W.CountAuditAsync(tenant, GrainAuditActions.ServerDegraded, server.ToString()));
        await events.WaitForAsync<ServerStatusChanged>(s => s.Status.ServerId == server && s.Status.Health == ServerHealth.Offline, "offline status published");

        var metrics = await W.Admin.CallAsync(HttpMethod.Get, $"/api/servers/{server}/metrics?range=24h");
        var summary = metrics.GetProperty("summary");
        Assert.True(summary.GetProperty("attempts").GetInt32() >= 3, metrics.ToString());
        Assert.True(summary.GetProperty("successes").GetInt32() < summary.GetProperty("attempts").GetInt32(), "failures were recorded");
        Assert.Equal(24, metrics.GetProperty("hours").GetArrayLength());
        Assert.Contains(metrics.GetProperty("timeouts").EnumerateArray(), t => t.GetProperty("requestClass").GetString() == "list" && t.GetProperty("samples").GetInt64() > 0);
    }

    [Fact]
    public async Task Traffic_falls_back_to_the_secondary_listener_and_back_with_events_and_audit_rows()
    {
        var cluster = W.Simulator.Clusters[2];
        var tenant = await W.NewTenantAsync("Fallback");
        var events = await W.SubscribeAsync(tenant);
        var server = await W.AddServerAsync(tenant, cluster);
        var grain = W.Grains.GetGrain<IProxmoxServerGrain>(server);

        cluster.Primary.Faults.Set(new FaultSettings { RefuseConnections = true });
        await events.WaitForAsync<ServerEndpointSwitched>(s => s.ServerId == server && s.To == EndpointRole.Secondary, "the switch to the secondary");
        Assert.Equal(EndpointRole.Secondary, (await grain.GetStatus()).ActiveEndpoint);
        Assert.NotEqual(ServerHealth.Offline, (await grain.GetStatus()).Health);

        cluster.Primary.Faults.Clear();
        await events.WaitForAsync<ServerEndpointSwitched>(s => s.ServerId == server && s.To == EndpointRole.Primary, "the switch back to the primary");
        await Eventually.TrueAsync(() => grain.GetStatus().Result.ActiveEndpoint == EndpointRole.Primary, TimeSpan.FromSeconds(10), "primary active");
        Assert.Equal(2, await W.CountAuditAsync(tenant, GrainAuditActions.ServerEndpointSwitched, server.ToString()));
    }

    [Fact]
    public async Task A_retired_server_stops_polling_and_forgets_its_guests()
    {
        var cluster = W.Simulator.Clusters[3];
        var tenant = await W.NewTenantAsync("Retire");
        var events = await W.SubscribeAsync(tenant);
        var server = await W.AddServerAsync(tenant, cluster);
        var grain = W.Grains.GetGrain<IProxmoxServerGrain>(server);
        var status = await W.Admin.CallAsync(HttpMethod.Get, $"/api/servers/{server}/status");
        Assert.Equal("online", status.GetProperty("health").GetString());

        await grain.Retire();
        await events.WaitForAsync<VmStatesChanged>(c => c.ServerId == server && c.Removed.Count == cluster.Guests.Count, "every guest removed");
        var after = events.All.Count;
        var running = cluster.Guests.First(g => g.State == GuestRunState.Running);
        cluster.SetGuestStatus(running.Vmid, "stopped");
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.DoesNotContain(events.All.Skip(after), e => e.Body is VmStatesChanged or ServerMetricSampled);
        Assert.Empty((await grain.GetSnapshot()).Guests);
        Assert.Null((await grain.GetStatus()).LastPollAt);
        Assert.DoesNotContain(server, await W.Grains.GetGrain<Nexus.Contracts.Tenants.ITenantGrain>(tenant).GetServers());
        Assert.Equal(0, await CountRemindersAsync(server));
    }

    [Fact]
    public async Task Reads_do_not_wait_behind_a_slow_poll()
    {
        var cluster = W.Simulator.Clusters[4];
        var tenant = await W.NewTenantAsync("Slow");
        var server = await W.AddServerAsync(tenant, cluster, pollInterval: TimeSpan.FromMinutes(5));
        var grain = W.Grains.GetGrain<IProxmoxServerGrain>(server);
        cluster.Faults.Set(new FaultSettings { LatencyKind = LatencyKind.Fixed, Latency = TimeSpan.FromSeconds(3) });
        try
        {
            var poll = grain.PollNow();
            await Task.Delay(300);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var snapshot = await grain.GetSnapshot();
            var status = await grain.GetStatus();
            watch.Stop();

            Assert.False(poll.IsCompleted, "the poll is still waiting for Proxmox");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"reads took {watch.Elapsed.TotalMilliseconds:0} ms");
            Assert.Equal(cluster.Guests.Count, snapshot.Guests.Count);
            Assert.Equal(server, status.ServerId);
            await poll;
        }
        finally
        {
            cluster.Faults.Clear();
        }
    }

    [Fact]
    public async Task Servers_registered_together_poll_again_at_spread_times_within_their_interval()
    {
        var cluster = W.Simulator.Clusters[3];
        var tenant = await W.NewTenantAsync("Spread");
        var interval = TimeSpan.FromSeconds(4);
        var servers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => W.AddServerAsync(tenant, cluster, pollInterval: interval)));
        var grains = servers.Select(s => W.Grains.GetGrain<IProxmoxServerGrain>(s)).ToArray();
        var polls = servers.Select(_ => new SortedSet<DateTimeOffset>()).ToArray();

        // Watch every server's last poll time until each has been seen polling twice.
        var deadline = DateTime.UtcNow + (3 * interval) + TimeSpan.FromSeconds(5);
        while (polls.Any(p => p.Count < 2) && DateTime.UtcNow < deadline)
        {
            for (var i = 0; i < grains.Length; i++)
            {
                if ((await grains[i].GetStatus()).LastPollAt is { } at)
                {
                    polls[i].Add(at);
                }
            }
            await Task.Delay(50);
        }

        // Every server polled again (Orleans counts a timer's period from the end of a poll, so a busy machine adds
        // the first poll's duration to the gap).
        Assert.All(polls, p => Assert.True(p.Count >= 2, "every server polled again"));
        var gaps = polls.Select(p => (p.ElementAt(1) - p.ElementAt(0)).TotalSeconds).ToArray();
        var described = string.Join(", ", gaps.Select(g => g.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));
        // Not in step: registered within moments of each other, they no longer poll at the same instants (in step,
        // every gap would be the interval plus the same poll duration).
        Assert.True(gaps.Max() - gaps.Min() >= 0.5, $"the second polls are spread over the interval (gaps: {described})");
    }

    private async Task<long> CountRemindersAsync(Guid server)
    {
        await using var connection = new Npgsql.NpgsqlConnection(W.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM orleansreminderstable WHERE remindername = @n AND grainid LIKE '%' || @g || '%'", connection);
        command.Parameters.AddWithValue("n", ProxmoxServerGrain.ReminderName);
        command.Parameters.AddWithValue("g", server.ToString("N"));
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
