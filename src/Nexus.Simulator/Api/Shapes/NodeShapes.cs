using System.Text.Json.Nodes;
using Nexus.Simulator.Clusters;

namespace Nexus.Simulator.Api.Shapes;

/// <summary>Node JSON of <c>/nodes</c> (API2Tools::extract_node_stats) and of <c>/cluster/resources</c>.</summary>
internal static class NodeShapes
{
    public static JsonObject Row(SimNode node, bool online, NodeStats st, bool withStats, string? fingerprint, bool forResources)
    {
        var row = new JsonObject
        {
            ["id"] = $"node/{node.Name}",
            ["type"] = "node",
            ["node"] = node.Name,
            ["status"] = online ? "online" : "offline",
        };
        // Stats are left out for offline nodes and for callers without Sys.Audit on the node.
        if (online && withStats)
        {
            row["uptime"] = st.Uptime;
            row["cpu"] = st.Cpu;
            row["maxcpu"] = node.MaxCpu;
            row["mem"] = st.Mem;
            row["maxmem"] = node.MaxMem;
            row["disk"] = st.Disk;
            row["maxdisk"] = node.MaxDisk;
        }
        row["level"] = "";
        if (forResources)
        {
            row["cgroup-mode"] = 2;
            row["host-arch"] = "x86_64";
        }
        if (fingerprint is not null)
        {
            row["ssl_fingerprint"] = fingerprint;
        }
        return row;
    }
}
