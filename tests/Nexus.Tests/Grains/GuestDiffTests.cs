using Nexus.Contracts.Servers;
using Nexus.Grains.Servers;

namespace Nexus.Tests.Grains;

/// <summary>Which guest changes are pushed to browsers.</summary>
public sealed class GuestDiffTests
{
    private static readonly GuestState Web = new(Guid.Empty, "qemu", 100, "web", "pve1", "running", 0.10, 2, 1_000, 10_000, 0, 100_000,
        50, false, "prod", null, null, 1, 1, 1, 1);

    [Fact]
    public void State_changes_count_and_load_counts_only_past_a_five_percent_step()
    {
        Assert.True(GuestDiff.Matters(Web, Web with { Status = "stopped" }));
        Assert.True(GuestDiff.Matters(Web, Web with { Node = "pve2" }));
        Assert.True(GuestDiff.Matters(Web, Web with { Tags = "prod;db" }));
        Assert.True(GuestDiff.Matters(Web, Web with { Cpu = 0.16 }));
        Assert.True(GuestDiff.Matters(Web, Web with { Memory = 1_600 }));
        Assert.False(GuestDiff.Matters(Web, Web with { Cpu = 0.12, Memory = 1_200, Uptime = 60, NetIn = 5_000 }));
    }

    [Fact]
    public void New_and_vanished_guests_are_reported()
    {
        var published = new Dictionary<(string, int), GuestState> { [("qemu", 100)] = Web, [("lxc", 101)] = Web with { Type = "lxc", VmId = 101 } };
        var (changed, removed) = GuestDiff.Compute(published, [Web, Web with { VmId = 102 }]);
        Assert.Equal([102], changed.Select(g => g.VmId));
        Assert.Equal(101, Assert.Single(removed).VmId);
    }
}
