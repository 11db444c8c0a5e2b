namespace Nexus.Simulator.Clusters;

/// <summary>A guest's live figures at one instant, as qemu-server/pve-container's vmstatus reports them.</summary>
internal readonly record struct GuestStats(
    double Cpu, long Mem, long MemHost, long Disk, long Uptime,
    long NetIn, long NetOut, long DiskRead, long DiskWrite)
{
    public static GuestStats At(GuestSnapshot s, double t)
    {
        var g = s.Guest;
        var disk = g.IsQemu ? 0 : (long)(g.MaxDisk * g.Load.DiskShare);
        if (!s.Running)
        {
            return new GuestStats(0, 0, 0, disk, 0, 0, 0, 0, 0);
        }
        var from = s.StartedAt.ToUnixTimeMilliseconds() / 1000.0;
        var mem = (long)(g.MaxMem * g.Load.MemFraction(t));
        return new GuestStats(
            Cpu: s.State == GuestRunState.Paused ? 0 : g.Load.Cpu(t),
            Mem: mem,
            MemHost: mem + 28_000_000 + g.Cpus * 4_000_000L,
            Disk: disk,
            Uptime: Math.Max(0, (long)(t - from)),
            NetIn: g.Load.Counter(g.Load.NetIn, 0, from, t),
            NetOut: g.Load.Counter(g.Load.NetOut, 1, from, t),
            DiskRead: g.Load.Counter(g.Load.DiskRead, 2, from, t),
            DiskWrite: g.Load.Counter(g.Load.DiskWrite, 3, from, t));
    }
}

/// <summary>A node's live figures (pvestatd): its own base load plus what its running guests use.</summary>
internal readonly record struct NodeStats(
    double Cpu, long Mem, long Disk, long Uptime, long NetIn, long NetOut, double LoadAvg, double IoWait, long SwapUsed)
{
    public static NodeStats At(SimNode node, IEnumerable<GuestSnapshot> guests, double t)
    {
        double cpuCores = 0.15;
        long mem = 2L * 1024 * 1024 * 1024;
        long netIn = 0, netOut = 0;
        foreach (var s in guests)
        {
            if (!s.Running)
            {
                continue;
            }
            var stats = GuestStats.At(s, t);
            cpuCores += stats.Cpu * s.Guest.Cpus;
            mem += stats.MemHost;
            netIn += stats.NetIn;
            netOut += stats.NetOut;
        }
        var boot = node.BootedAt.ToUnixTimeSeconds();
        var uptime = Math.Max(0, (long)t - boot);
        var cpu = Math.Clamp(cpuCores / node.MaxCpu, 0.001, 1.0);
        return new NodeStats(
            Cpu: cpu,
            Mem: Math.Min(mem, node.MaxMem - 256L * 1024 * 1024),
            Disk: (long)(node.MaxDisk * 0.035) + (uptime % 86_400) * 1024,
            Uptime: uptime,
            NetIn: netIn + uptime * 2_048,
            NetOut: netOut + uptime * 1_024,
            LoadAvg: cpuCores * 0.9,
            IoWait: cpu * 0.02,
            SwapUsed: 0);
    }
}
