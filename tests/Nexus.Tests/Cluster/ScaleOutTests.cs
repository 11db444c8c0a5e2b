using Microsoft.Extensions.DependencyInjection;
using Nexus.Tests.Data;
using Nexus.Tests.Support;
using Orleans.Runtime;

namespace Nexus.Tests.Cluster;

/// <summary>Several real hosts (Kestrel + silo each) on one PostgreSQL database behave as one cluster.</summary>
public sealed class ScaleOutTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Three_hosts_form_one_cluster_and_a_killed_hosts_grain_reactivates_elsewhere_with_its_state()
    {
        var clusterId = "scale-" + Guid.NewGuid().ToString("N")[..8];
        var hosts = new List<NexusTestHost>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                hosts.Add(await NexusTestHost.StartAsync(database.ConnectionString, clusterId));
            }
            var (host1, host2, host3) = (hosts[0], hosts[1], hosts[2]);
            await Eventually.TrueAsync(() => hosts.All(h => ActiveSilos(h) == 3), TimeSpan.FromSeconds(60), "all three silos see three active members");

            // Activated through host 2 (local placement), so it lives on host 2; then reached through hosts 1 and 3.
            var key = "probe:" + Guid.NewGuid();
            var first = await host2.Grains.GetGrain<IProbeCounterGrain>(key).Increment();
            Assert.Equal(host2.SiloAddress.ToParsableString(), first.Silo);
            var viaHost1 = await host1.Grains.GetGrain<IProbeCounterGrain>(key).Read();
            Assert.Equal(new CounterReading(1, first.Silo), viaHost1);
            var viaHost3 = await host3.Grains.GetGrain<IProbeCounterGrain>(key).Increment();
            Assert.Equal(new CounterReading(2, first.Silo), viaHost3);

            await host2.KillAsync();
            hosts.Remove(host2);

            // The survivors declare host 2 dead and the next call activates the grain elsewhere from its stored state.
            var after = await Eventually.ResultAsync(
                () => host1.Grains.GetGrain<IProbeCounterGrain>(key).Read(),
                TimeSpan.FromSeconds(90), "the grain answers again after host 2 died");
            Assert.Equal(2, after.Value);
            Assert.NotEqual(first.Silo, after.Silo);
            Assert.Contains(after.Silo, new[] { host1.SiloAddress.ToParsableString(), host3.SiloAddress.ToParsableString() });

            foreach (var survivor in hosts)
            {
                var ready = await survivor.Http.GetAsync("/readyz");
                Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_full_restart_of_the_cluster_keeps_persisted_grain_state()
    {
        var clusterId = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var key = "probe:" + Guid.NewGuid();

        await using (var a = await NexusTestHost.StartAsync(database.ConnectionString, clusterId))
        await using (var b = await NexusTestHost.StartAsync(database.ConnectionString, clusterId))
        {
            await a.Grains.GetGrain<IProbeCounterGrain>(key).Increment();
            await b.Grains.GetGrain<IProbeCounterGrain>(key).Increment();
            await a.Grains.GetGrain<IProbeCounterGrain>(key).Increment();
        }

        await using var restarted = await NexusTestHost.StartAsync(database.ConnectionString, clusterId);
        var reading = await restarted.Grains.GetGrain<IProbeCounterGrain>(key).Read();
        Assert.Equal(3, reading.Value);
        Assert.Equal(restarted.SiloAddress.ToParsableString(), reading.Silo);
    }

    private static int ActiveSilos(NexusTestHost host) =>
        host.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
}
