using Nexus.Contracts.Servers;
using Nexus.Proxmox.Api.Models;

namespace Nexus.Grains.Servers;

/// <summary>Turns a <c>/cluster/resources</c> answer into the grain's snapshot parts.</summary>
internal static class ResourceMapper
{
    public static (List<GuestState> Guests, List<NodeState> Nodes, List<StorageState> Storage) Map(
        Guid serverId, IReadOnlyList<ClusterResource> resources)
    {
        var guests = new List<GuestState>();
        var nodes = new List<NodeState>();
        var storage = new Dictionary<string, StorageState>(StringComparer.Ordinal);
        foreach (var r in resources)
        {
            switch (r.Type)
            {
                case "qemu" or "lxc" when r.VmId is { } vmid:
                    guests.Add(new GuestState(serverId, r.Type, vmid, r.Name ?? $"{(r.Type == "qemu" ? "VM" : "CT")} {vmid}",
                        r.Node ?? "", r.Status ?? "unknown", r.Cpu ?? 0, r.MaxCpu ?? 0, r.Mem ?? 0, r.MaxMem ?? 0,
                        r.Disk ?? 0, r.MaxDisk ?? 0, r.Uptime ?? 0, r.Template ?? false, NullIfEmpty(r.Tags), NullIfEmpty(r.Pool),
                        NullIfEmpty(r.Lock), r.NetIn ?? 0, r.NetOut ?? 0, r.DiskRead ?? 0, r.DiskWrite ?? 0));
                    break;
                case "node" when r.Node is { } node:
                    nodes.Add(new NodeState(node, r.Status == "online", r.Cpu ?? 0, r.MaxCpu ?? 0, r.Mem ?? 0, r.MaxMem ?? 0));
                    break;
                case "storage" when r.Storage is { } name:
                    // /cluster/resources lists a shared storage once per node; it is one pool of disks.
                    var shared = r.Shared ?? false;
                    var key = shared ? name : r.Id;
                    storage.TryAdd(key, new StorageState(key, shared, r.Disk ?? 0, r.MaxDisk ?? 0));
                    break;
            }
        }
        guests.Sort(static (a, b) => a.VmId != b.VmId ? a.VmId.CompareTo(b.VmId) : string.CompareOrdinal(a.Type, b.Type));
        nodes.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return (guests, nodes, storage.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList());
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
