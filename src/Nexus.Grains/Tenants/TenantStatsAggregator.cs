using Nexus.Contracts.Servers;
using Nexus.Contracts.Tenants;

namespace Nexus.Grains.Tenants;

/// <summary>
/// The prototype's live tenant stats (seed-features §1.15, F33) over the servers' last snapshots: qemu rows are
/// VMs and lxc rows containers, each running or "stopped" (anything else); nodes online/offline with CPU
/// (cores: cpu·maxcpu of maxcpu) and memory (bytes); storage used/total in bytes, a shared storage once.
/// A server counts as online, and its resources count, when its last poll answered (online or degraded).
/// </summary>
internal static class TenantStatsAggregator
{
    public static TenantStats Aggregate(IReadOnlyList<ServerSnapshot> servers, DateTimeOffset now)
    {
        int vms = 0, runningVms = 0, cts = 0, runningCts = 0, nodes = 0, nodesOnline = 0, online = 0;
        double cpuUsed = 0, cpuTotal = 0, memUsed = 0, memTotal = 0, diskUsed = 0, diskTotal = 0;
        foreach (var server in servers)
        {
            if (server.Status.Health is not (ServerHealth.Online or ServerHealth.Degraded))
            {
                continue;
            }
            online++;
            foreach (var guest in server.Guests)
            {
                var running = guest.Status == "running";
                if (guest.Type == "qemu")
                {
                    vms++;
                    runningVms += running ? 1 : 0;
                }
                else
                {
                    cts++;
                    runningCts += running ? 1 : 0;
                }
            }
            foreach (var node in server.Nodes)
            {
                nodes++;
                nodesOnline += node.Online ? 1 : 0;
                cpuUsed += node.Cpu * node.MaxCpu;
                cpuTotal += node.MaxCpu;
                memUsed += node.Memory;
                memTotal += node.MaxMemory;
            }
            foreach (var storage in server.Storage)
            {
                diskUsed += storage.Used;
                diskTotal += storage.Total;
            }
        }
        return new TenantStats(vms, runningVms, vms - runningVms, cts, runningCts, cts - runningCts, nodes, nodesOnline,
            Usage(Math.Round(cpuUsed, 2), cpuTotal), Usage(memUsed, memTotal), Usage(diskUsed, diskTotal), servers.Count, online, now);
    }

    public static bool SameNumbers(TenantStats a, TenantStats b) => a with { LastUpdated = default } == b with { LastUpdated = default };

    private static Usage Usage(double used, double total) =>
        new(used, total, total > 0 ? (int)Math.Round(used / total * 100, MidpointRounding.AwayFromZero) : 0);
}
