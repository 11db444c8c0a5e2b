using System.Text.Json;
using Nexus.Simulator.Access;
using Nexus.Simulator.Clusters;

namespace Nexus.Simulator.Api.Endpoints;

/// <summary>
/// <c>rrddata</c> for guests and nodes (pve-cluster RRD.pm). Rates (<c>netin</c>, <c>diskread</c>, …) are
/// DERIVE values in bytes per second; missing values are omitted; a stopped guest's rows keep only the
/// configured maxima.
/// </summary>
internal static class RrdEndpoints
{
    private static readonly string[] Timeframes = ["hour", "day", "week", "month", "year", "decade"];

    public static void Map(ApiRouteTable routes)
    {
        foreach (var type in new[] { "qemu", "lxc" })
        {
            routes.Get($"/nodes/{{node}}/{type}/{{vmid}}/rrddata", Schema().Vmid(), call => Guest(call, type),
                new Permission("/vms/{vmid}", PvePrivileges.VmAudit));
        }
        routes.Get("/nodes/{node}/rrddata", Schema(), NodeRrd, new Permission("/nodes/{node}", PvePrivileges.SysAudit));
    }

    private static ParamSchema Schema() => ParamSchema.Create().Node()
        .Enum("timeframe", Timeframes, optional: false)
        .Enum("cf", ["AVERAGE", "MAX"]);

    /// <summary>Step (seconds) and row count per timeframe: PVE 9's pve-vm-9.0 / pve-node-9.0 layouts, else PVE 8's.</summary>
    private static (int Step, int Rows) Layout(string timeframe, bool pve9) => (timeframe, pve9) switch
    {
        ("hour", true) => (60, 60),
        ("day", true) => (60, 1440),
        ("week", true) => (1800, 336),
        ("month", true) => (1800, 1440),
        ("year", true) => (21600, 1440),
        ("decade", true) => (7 * 86400, 570),
        ("hour", false) => (60, 70),
        ("day", false) => (1800, 70),
        ("week", false) => (10800, 70),
        ("month", false) => (43200, 70),
        _ => (604800, 70),
    };

    private static IEnumerable<double> Times(ApiCall call)
    {
        var pve9 = !call.Cluster.Profile.PveVersion.StartsWith('8');
        var (step, rows) = Layout(call.Get("timeframe")!, pve9);
        var last = Math.Floor(call.Now / step) * step;
        for (var i = rows - 1; i >= 0; i--)
        {
            yield return last - i * step;
        }
    }

    private static Task<ApiReply> Guest(ApiCall call, string type)
    {
        var guest = call.Guest(type);
        var s = guest.Read();
        var max = call.Get("cf") == "MAX";
        var started = s.StartedAt.ToUnixTimeSeconds();
        var times = Times(call).ToArray();
        void Write(Utf8JsonWriter w)
        {
            w.WriteStartArray();
            foreach (var t in times)
            {
                w.WriteStartObject();
                w.WriteNumber("time", (long)t);
                w.WriteNumber("maxcpu", guest.Cpus);
                w.WriteNumber("maxmem", guest.MaxMem);
                w.WriteNumber("maxdisk", guest.MaxDisk);
                var running = s.Running && t >= started;
                var st = GuestStats.At(running ? s : s with { State = GuestRunState.Stopped }, t);
                w.WriteNumber("disk", st.Disk);
                if (running)
                {
                    var load = guest.Load;
                    var cpu = max ? Math.Min(1, st.Cpu * 1.3) : st.Cpu;
                    w.WriteNumber("cpu", cpu);
                    w.WriteNumber("mem", (double)st.Mem);
                    w.WriteNumber("memhost", (double)st.MemHost);
                    w.WriteNumber("netin", load.Rate(load.NetIn, 0, t));
                    w.WriteNumber("netout", load.Rate(load.NetOut, 1, t));
                    w.WriteNumber("diskread", load.Rate(load.DiskRead, 2, t));
                    w.WriteNumber("diskwrite", load.Rate(load.DiskWrite, 3, t));
                    w.WriteNumber("pressurecpusome", cpu * 0.05);
                    w.WriteNumber("pressurecpufull", cpu * 0.02);
                    w.WriteNumber("pressureiosome", cpu * 0.01);
                    w.WriteNumber("pressureiofull", cpu * 0.005);
                    w.WriteNumber("pressurememorysome", 0);
                    w.WriteNumber("pressurememoryfull", 0);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Task.FromResult(new ApiReply(null, Write));
    }

    private static Task<ApiReply> NodeRrd(ApiCall call)
    {
        var node = call.Node();
        var inventory = call.Cluster.Inventory;
        var guests = inventory.ReadAll().Where(g => g.Node == node.Name).ToArray();
        var times = Times(call).ToArray();
        void Write(Utf8JsonWriter w)
        {
            w.WriteStartArray();
            foreach (var t in times)
            {
                var st = NodeStats.At(node, guests, t);
                var before = NodeStats.At(node, guests, t - 60);
                w.WriteStartObject();
                w.WriteNumber("time", (long)t);
                w.WriteNumber("loadavg", st.LoadAvg);
                w.WriteNumber("maxcpu", node.MaxCpu);
                w.WriteNumber("cpu", st.Cpu);
                w.WriteNumber("iowait", st.IoWait);
                w.WriteNumber("memtotal", node.MaxMem);
                w.WriteNumber("memused", (double)st.Mem);
                w.WriteNumber("memavailable", (double)(node.MaxMem - st.Mem));
                w.WriteNumber("swaptotal", 8L * 1024 * 1024 * 1024);
                w.WriteNumber("swapused", (double)st.SwapUsed);
                w.WriteNumber("roottotal", node.MaxDisk);
                w.WriteNumber("rootused", (double)st.Disk);
                w.WriteNumber("netin", Math.Max(0, (st.NetIn - before.NetIn) / 60.0));
                w.WriteNumber("netout", Math.Max(0, (st.NetOut - before.NetOut) / 60.0));
                w.WriteNumber("arcsize", 0);
                w.WriteNumber("pressurecpusome", st.Cpu * 0.05);
                w.WriteNumber("pressureiosome", st.IoWait * 0.1);
                w.WriteNumber("pressureiofull", st.IoWait * 0.05);
                w.WriteNumber("pressurememorysome", 0);
                w.WriteNumber("pressurememoryfull", 0);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Task.FromResult(new ApiReply(null, Write));
    }
}
