using System.Text.Json.Nodes;
using Nexus.Simulator.Clusters;

namespace Nexus.Simulator.Api.Shapes;

/// <summary>
/// Guest JSON as qemu-server's and pve-container's vmstatus build it: booleans as 0/1, optional keys absent,
/// qemu list items without <c>type</c>, lxc items with it.
/// </summary>
internal static class GuestShapes
{
    /// <summary>A <c>/cluster/resources</c> row (status = QMP state for qemu).</summary>
    public static JsonObject ResourceRow(GuestSnapshot s, GuestStats st, bool withPool)
    {
        var g = s.Guest;
        var row = new JsonObject
        {
            ["id"] = $"{g.Type}/{g.Vmid}",
            ["type"] = g.Type,
            ["vmid"] = g.Vmid,
            ["node"] = s.Node,
            ["name"] = g.Name,
            ["status"] = ResourceStatus(s),
            ["uptime"] = st.Uptime,
            ["cpu"] = st.Cpu,
            ["maxcpu"] = g.Cpus,
            ["mem"] = st.Mem,
            ["maxmem"] = g.MaxMem,
            ["disk"] = st.Disk,
            ["maxdisk"] = g.MaxDisk,
            ["netin"] = st.NetIn,
            ["netout"] = st.NetOut,
            ["diskread"] = st.DiskRead,
            ["diskwrite"] = st.DiskWrite,
            ["memhost"] = st.MemHost,
            ["template"] = g.Template ? 1 : 0,
        };
        Optional(row, "tags", g.Tags);
        if (withPool)
        {
            Optional(row, "pool", g.Pool);
        }
        Optional(row, "lock", s.Lock);
        return row;
    }

    /// <summary>An item of <c>GET /nodes/{node}/qemu</c> or <c>/lxc</c>.</summary>
    public static JsonObject ListItem(GuestSnapshot s, GuestStats st)
    {
        var g = s.Guest;
        var item = new JsonObject();
        if (!g.IsQemu)
        {
            item["type"] = "lxc";
        }
        item["vmid"] = g.Vmid;
        item["name"] = g.Name;
        // The list reports only running|stopped; the QMP state (paused) is in status/current's qmpstatus.
        item["status"] = s.Running ? "running" : "stopped";
        item["cpus"] = g.Cpus;
        item["cpu"] = st.Cpu;
        item["maxmem"] = g.MaxMem;
        item["mem"] = st.Mem;
        item["maxdisk"] = g.MaxDisk;
        item["disk"] = st.Disk;
        item["netin"] = st.NetIn;
        item["netout"] = st.NetOut;
        item["diskread"] = st.DiskRead;
        item["diskwrite"] = st.DiskWrite;
        item["uptime"] = st.Uptime;
        if (g.IsQemu)
        {
            item["memhost"] = st.MemHost;
        }
        else
        {
            item["maxswap"] = 512L * 1024 * 1024;
            item["swap"] = 0;
        }
        if (s.Running)
        {
            item["pid"] = s.Pid;
            var p = st.Cpu * 0.05;
            item["pressurecpusome"] = p;
            item["pressurecpufull"] = p / 2;
            item["pressureiosome"] = p / 3;
            item["pressureiofull"] = p / 4;
            item["pressurememorysome"] = 0;
            item["pressurememoryfull"] = 0;
        }
        if (g.Template)
        {
            item["template"] = 1;
        }
        Optional(item, "lock", s.Lock);
        Optional(item, "tags", g.Tags);
        return item;
    }

    /// <summary><c>GET …/status/current</c>: the list item plus QMP details and <c>ha</c>.</summary>
    public static JsonObject Current(GuestSnapshot s, GuestStats st)
    {
        var g = s.Guest;
        var current = ListItem(s, st);
        current["ha"] = new JsonObject { ["managed"] = 0 };
        if (!g.IsQemu)
        {
            return current;
        }
        current["qmpstatus"] = s.State switch
        {
            GuestRunState.Running => "running",
            GuestRunState.Paused => "paused",
            _ => "stopped",
        };
        current["agent"] = 1;
        if (s.Running)
        {
            current["balloon"] = g.MaxMem;
            current["freemem"] = g.MaxMem - st.Mem;
            current["running-machine"] = "pc-i440fx-10.0+pve0";
            current["running-qemu"] = "10.0.2";
            current["nics"] = new JsonObject
            {
                [$"tap{g.Vmid}i0"] = new JsonObject { ["netin"] = st.NetIn, ["netout"] = st.NetOut },
            };
            current["proxmox-support"] = new JsonObject
            {
                ["backup-max-workers"] = true,
                ["pbs-dirty-bitmap"] = true,
                ["query-bitmap-info"] = true,
            };
        }
        return current;
    }

    private static string ResourceStatus(GuestSnapshot s) => s.State switch
    {
        GuestRunState.Running => "running",
        GuestRunState.Paused => s.Guest.IsQemu ? "paused" : "running",
        _ => "stopped",
    };

    public static void Optional(JsonObject target, string key, string? value)
    {
        if (value is not null)
        {
            target[key] = value;
        }
    }
}
