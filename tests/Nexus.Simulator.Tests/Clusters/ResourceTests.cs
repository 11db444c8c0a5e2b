using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.Clusters;

public sealed class ResourceTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Type_vm_returns_qemu_and_lxc_and_nothing_else()
    {
        using var client = fixture.Client();
        var rows = (await Pve.GetDataAsync(client, "cluster/resources?type=vm", fixture.RootToken))!.AsArray();
        Assert.Equal(fixture.Cluster.Guests.Count, rows.Count);
        Assert.Equal(new[] { "lxc", "qemu" }, rows.Select(r => r!["type"]!.GetValue<string>()).Distinct().Order());
        Assert.All(rows, r => Assert.Equal($"{r!["type"]}/{r["vmid"]}", r["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Without_type_nodes_storages_sdn_and_pools_are_listed_too()
    {
        using var client = fixture.Client();
        var types = (await Pve.GetDataAsync(client, "cluster/resources", fixture.RootToken))!.AsArray()
            .Select(r => r!["type"]!.GetValue<string>()).Distinct().Order().ToArray();
        Assert.Equal(new[] { "lxc", "node", "pool", "qemu", "sdn", "storage" }, types);
    }

    [Fact]
    public async Task Resources_lag_behind_a_state_change_until_the_next_snapshot()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu" && g.State == Nexus.Simulator.Clusters.GuestRunState.Running);
        fixture.Cluster.SetGuestStatus(guest.Vmid, "stopped");

        var current = (await Pve.GetDataAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/current", fixture.RootToken))!;
        Assert.Equal("stopped", current["status"]!.GetValue<string>());
        var before = (await Pve.GetDataAsync(client, "cluster/resources?type=vm", fixture.RootToken))!.AsArray()
            .Single(r => r!["vmid"]!.GetValue<int>() == guest.Vmid)!;
        Assert.Equal("running", before["status"]!.GetValue<string>());

        fixture.Cluster.RefreshSnapshot();
        var after = (await Pve.GetDataAsync(client, "cluster/resources?type=vm", fixture.RootToken))!.AsArray()
            .Single(r => r!["vmid"]!.GetValue<int>() == guest.Vmid)!;
        Assert.Equal("stopped", after["status"]!.GetValue<string>());
        Assert.Equal(0, after["uptime"]!.GetValue<long>());
    }

    [Fact]
    public async Task Live_counters_only_grow()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu" && g.State == Nexus.Simulator.Clusters.GuestRunState.Running);
        var path = $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/current";
        var first = (await Pve.GetDataAsync(client, path, fixture.RootToken))!;
        await Task.Delay(1100);
        var second = (await Pve.GetDataAsync(client, path, fixture.RootToken))!;
        foreach (var counter in new[] { "netin", "netout", "diskread", "diskwrite", "uptime" })
        {
            Assert.True(second[counter]!.GetValue<long>() > first[counter]!.GetValue<long>(), counter);
        }
    }

    [Fact]
    public async Task Cluster_status_marks_the_answering_node_local_on_both_listeners()
    {
        foreach (var secondary in new[] { false, true })
        {
            using var client = fixture.Client(secondary);
            var nodes = (await Pve.GetDataAsync(client, "cluster/status", fixture.RootToken))!.AsArray()
                .Where(e => e!["type"]!.GetValue<string>() == "node").ToArray();
            Assert.Equal(fixture.Cluster.NodeNames.Count, nodes.Length);
            var local = Assert.Single(nodes, n => n!["local"]!.GetValue<int>() == 1);
            Assert.Equal(fixture.Cluster.Primary.Node, local!["name"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("hour", 60, 60)]
    [InlineData("day", 1440, 60)]
    [InlineData("week", 336, 1800)]
    [InlineData("month", 1440, 1800)]
    [InlineData("year", 1440, 21600)]
    public async Task Rrddata_has_pve9_rows_and_steps_per_timeframe(string timeframe, int rows, int step)
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "lxc");
        var data = (await Pve.GetDataAsync(client, $"nodes/{guest.Node}/lxc/{guest.Vmid}/rrddata?timeframe={timeframe}&cf=AVERAGE", fixture.RootToken))!.AsArray();
        Assert.Equal(rows, data.Count);
        Assert.Equal(step, data[1]!["time"]!.GetValue<long>() - data[0]!["time"]!.GetValue<long>());
        var node = (await Pve.GetDataAsync(client, $"nodes/{guest.Node}/rrddata?timeframe={timeframe}", fixture.RootToken))!.AsArray();
        Assert.Equal(rows, node.Count);
    }

    [Fact]
    public async Task Rrddata_rows_of_a_stopped_guest_keep_only_the_maxima()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu" && !g.Template && g.Vmid % 3 == 0);
        fixture.Cluster.SetGuestStatus(guest.Vmid, "stopped");
        var data = (await Pve.GetDataAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/rrddata?timeframe=hour", fixture.RootToken))!.AsArray();
        Assert.All(data, row => Assert.Equal(new[] { "disk", "maxcpu", "maxdisk", "maxmem", "time" }, row!.AsObject().Select(p => p.Key).Order()));
    }
}
