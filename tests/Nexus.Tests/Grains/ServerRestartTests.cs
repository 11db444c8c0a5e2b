using Nexus.Contracts.Servers;
using Nexus.Tests.Support;

namespace Nexus.Tests.Grains;

/// <summary>Polling survives a restart of the whole cluster: the grain's state says it was armed.</summary>
public sealed class ServerRestartTests : IAsyncLifetime
{
    private GrainWorld _world = null!;

    public async Task InitializeAsync() => _world = await GrainWorld.StartAsync(clusters: 1, guests: 6);

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task After_a_full_restart_an_active_server_polls_again_with_its_learned_timeouts_and_snapshot()
    {
        var tenant = await _world.NewTenantAsync("Restart");
        var server = await _world.AddServerAsync(tenant, _world.Simulator.Clusters[0]);
        var before = await _world.Grains.GetGrain<IProxmoxServerGrain>(server).GetLearnedTimeouts();
        Assert.Contains(before, t => t.Samples > 0);

        var version = await _world.Grains.GetGrain<Nexus.Contracts.Tenants.ITenantGrain>(tenant).GetVersion();
        Assert.True(version > 0);

        await _world.RestartHostAsync();

        // Anything that reads the server (here the tenant's listing) activates it, and an armed grain resumes at once;
        // the reminder would do the same within five minutes.
        var page = await _world.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/vms");
        Assert.Equal(6, page.GetProperty("total").GetInt32());
        var grain = _world.Grains.GetGrain<IProxmoxServerGrain>(server);
        await Eventually.TrueAsync(() => grain.GetStatus().Result.LastPollAt is not null, TimeSpan.FromSeconds(20), "polling resumed");
        Assert.Contains(await grain.GetLearnedTimeouts(), t => t.Samples > 0);
        // Event versions continue where they were; they never go back after a restart.
        Assert.True(await _world.Grains.GetGrain<Nexus.Contracts.Tenants.ITenantGrain>(tenant).GetVersion() >= version);
    }
}
