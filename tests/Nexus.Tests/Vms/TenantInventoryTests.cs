using Nexus.Contracts.Servers;
using Nexus.Host.Vms;

namespace Nexus.Tests.Vms;

/// <summary>
/// A new inventory version takes over the previous version's ordering only when nothing that ordering sorts by
/// has moved; otherwise it sorts again.
/// </summary>
public sealed class TenantInventoryTests
{
    private static readonly Guid Tenant = Guid.NewGuid();
    private static readonly Guid Server = Guid.NewGuid();

    [Fact]
    public void A_poll_that_moved_only_cpu_keeps_the_name_order_and_sorts_by_cpu_again()
    {
        var first = Inventory(1, null, ("charlie", 0.3), ("alpha", 0.1), ("bravo", 0.2));
        Assert.Equal(["alpha", "bravo", "charlie"], Names(first, VmSort.Name));
        Assert.Equal(["alpha", "bravo", "charlie"], Names(first, VmSort.Cpu));

        var second = Inventory(2, first, ("charlie", 0.0), ("alpha", 0.9), ("bravo", 0.5));

        Assert.Same(first.OrderBy(VmSort.Name), second.OrderBy(VmSort.Name));
        Assert.Equal(["charlie", "bravo", "alpha"], Names(second, VmSort.Cpu));
    }

    [Fact]
    public void A_renamed_guest_is_sorted_under_its_new_name()
    {
        var first = Inventory(1, null, ("charlie", 0), ("alpha", 0), ("bravo", 0));
        Assert.Equal(["alpha", "bravo", "charlie"], Names(first, VmSort.Name));

        var second = Inventory(2, first, ("charlie", 0), ("zulu", 0), ("bravo", 0));

        Assert.Equal(["bravo", "charlie", "zulu"], Names(second, VmSort.Name));
    }

    [Fact]
    public void A_guest_more_or_less_is_sorted_in()
    {
        var first = Inventory(1, null, ("charlie", 0), ("alpha", 0));
        Assert.Equal(["alpha", "charlie"], Names(first, VmSort.Name));

        var second = Inventory(2, first, ("charlie", 0), ("alpha", 0), ("bravo", 0));

        Assert.Equal(["alpha", "bravo", "charlie"], Names(second, VmSort.Name));
    }

    private static TenantInventory Inventory(long version, TenantInventory? previous, params (string Name, double Cpu)[] guests)
    {
        var rows = guests.Select((g, i) => TenantInventory.Row(Guest(100 + i, g.Name, g.Cpu), Tenant, "pve")).ToList();
        return new TenantInventory(Tenant, version, rows, 0, previous);
    }

    private static GuestState Guest(int vmid, string name, double cpu) =>
        new(Server, "qemu", vmid, name, "node1", "running", cpu, 4, 1024, 4096, 0, 0, 60, false, "web;prod", null, null, 0, 0, 0, 0);

    private static string[] Names(TenantInventory inventory, VmSort key) =>
        inventory.OrderBy(key).Select(i => inventory.Rows[i].Guest.Name).ToArray();
}
