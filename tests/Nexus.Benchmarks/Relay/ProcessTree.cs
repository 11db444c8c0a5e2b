using System.Globalization;

namespace Nexus.Benchmarks.Relay;

/// <summary>
/// CPU time and resident memory of a process together with its descendants, read from <c>/proc</c> (Linux): websockify
/// serves each connection in a forked child, so the parent's own counters miss the relaying.
/// </summary>
internal static class ProcessTree
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, fixed at 100 on Linux for /proc's stat fields

    /// <summary>User + system seconds of <paramref name="rootPid"/> (including the children it reaped) and of its live descendants.</summary>
    public static double CpuSeconds(int rootPid)
    {
        var stats = ReadAll();
        var total = 0.0;
        foreach (var pid in Descendants(rootPid, stats).Prepend(rootPid))
        {
            if (stats.TryGetValue(pid, out var stat))
            {
                // utime + stime, plus cutime + cstime (children already waited for: ended connections).
                total += (stat.UTime + stat.STime + stat.CUTime + stat.CSTime) / TicksPerSecond;
            }
        }
        return total;
    }

    /// <summary>VmRSS of one process, in bytes (0 when it is gone).</summary>
    public static long ResidentBytes(int pid) => StatusField(pid, "VmRSS:") * 1024;

    /// <summary>Threads of one process (each holds a stack: a thread pool that grew under load shows in RSS).</summary>
    public static long Threads(int pid) => StatusField(pid, "Threads:");

    private static long StatusField(int pid, string name)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    return long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return 0;
    }

    private static IEnumerable<int> Descendants(int rootPid, Dictionary<int, Stat> stats)
    {
        var parents = new HashSet<int> { rootPid };
        var found = new List<int>();
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, stat) in stats)
            {
                if (parents.Contains(stat.ParentPid) && parents.Add(pid))
                {
                    found.Add(pid);
                    grew = true;
                }
            }
        }
        while (grew);
        return found;
    }

    private static Dictionary<int, Stat> ReadAll()
    {
        var result = new Dictionary<int, Stat>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var text = File.ReadAllText(Path.Combine(directory, "stat"));
                // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                result[pid] = new Stat(
                    int.Parse(fields[1], CultureInfo.InvariantCulture),
                    long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture),
                    long.Parse(fields[13], CultureInfo.InvariantCulture), long.Parse(fields[14], CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while the list was read.
            }
        }
        return result;
    }

    private readonly record struct Stat(int ParentPid, long UTime, long STime, long CUTime, long CSTime);
}
