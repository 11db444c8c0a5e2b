using System.Collections.Concurrent;

namespace Nexus.Simulator.Clusters;

/// <summary>Nodes, guests, storages and pools of one cluster.</summary>
internal sealed class ClusterInventory
{
    private readonly ConcurrentDictionary<int, SimGuest> _guests = new();

    public ClusterInventory(IReadOnlyList<SimNode> nodes, IEnumerable<SimGuest> guests, IReadOnlyList<SimStorage> storages)
    {
        Nodes = nodes;
        Storages = storages;
        foreach (var guest in guests)
        {
            _guests[guest.Vmid] = guest;
        }
    }

    public IReadOnlyList<SimNode> Nodes { get; }

    public IReadOnlyList<SimStorage> Storages { get; }

    public IEnumerable<SimGuest> Guests => _guests.Values.OrderBy(g => g.Vmid);

    public IReadOnlyList<string> Pools =>
        _guests.Values.Select(g => g.Pool).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    public SimNode? Node(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    public SimGuest? Guest(int vmid) => _guests.GetValueOrDefault(vmid);

    public IEnumerable<GuestSnapshot> ReadAll() => Guests.Select(g => g.Read());

    public NodeStats Stats(SimNode node, double t) =>
        NodeStats.At(node, ReadAll().Where(s => s.Node == node.Name), t);
}
