namespace Nexus.Simulator.Clusters;

/// <summary>
/// What <c>/cluster/resources</c> serves: the cluster as it was at the last refresh. Real PVE reads the RRD
/// broadcast that pvestatd refreshes every 10 s, so status and figures lag by up to one interval.
/// </summary>
internal sealed record ResourceSnapshot(
    double Time,
    IReadOnlyList<(GuestSnapshot Guest, GuestStats Stats)> Guests,
    IReadOnlyList<(SimNode Node, bool Online, NodeStats Stats)> Nodes)
{
    public static ResourceSnapshot Take(ClusterInventory inventory, double t)
    {
        var guests = inventory.ReadAll().ToArray();
        var nodes = inventory.Nodes
            .Select(n => (n, n.Online, NodeStats.At(n, guests.Where(g => g.Node == n.Name), t)))
            .ToArray();
        return new ResourceSnapshot(t, guests.Select(g => (g, GuestStats.At(g, t))).ToArray(), nodes);
    }
}
