using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;

namespace Nexus.Grains.Servers;

/// <summary>
/// Which guests changed enough to tell the browsers. Every change of status, name, node, template, lock, tags
/// or pool counts. Load counts once it moved by <see cref="LoadStep"/> of its maximum (CPU share, memory, disk)
/// since the value last published: the UI's meters move visibly, while the ±1 % jitter of every 10 s RRD
/// refresh does not cost an event per guest per poll. The snapshot served by the REST API always holds the
/// latest values; only the push is thresholded. Cumulative counters (network, disk I/O, uptime) never count.
/// </summary>
internal static class GuestDiff
{
    public const double LoadStep = 0.05;

    public static (List<GuestState> Changed, List<VmAddress> Removed) Compute(
        IReadOnlyDictionary<(string Type, int VmId), GuestState> published, IReadOnlyList<GuestState> current)
    {
        var changed = new List<GuestState>();
        var seen = new HashSet<(string, int)>();
        foreach (var guest in current)
        {
            var key = (guest.Type, guest.VmId);
            seen.Add(key);
            if (!published.TryGetValue(key, out var before) || Matters(before, guest))
            {
                changed.Add(guest);
            }
        }
        var removed = published.Keys.Where(k => !seen.Contains(k))
            .Select(k => new VmAddress(published[k].ServerId, k.Type, k.VmId)).ToList();
        return (changed, removed);
    }

    public static bool Matters(GuestState before, GuestState after) =>
        before.Status != after.Status
        || before.Name != after.Name
        || before.Node != after.Node
        || before.Template != after.Template
        || before.Lock != after.Lock
        || before.Tags != after.Tags
        || before.Pool != after.Pool
        || before.MaxCpu != after.MaxCpu
        || before.MaxMemory != after.MaxMemory
        || before.MaxDisk != after.MaxDisk
        || Math.Abs(before.Cpu - after.Cpu) >= LoadStep
        || Moved(before.Memory, after.Memory, after.MaxMemory)
        || Moved(before.Disk, after.Disk, after.MaxDisk);

    private static bool Moved(long before, long after, long max) =>
        max > 0 && Math.Abs(after - before) >= LoadStep * max;
}
