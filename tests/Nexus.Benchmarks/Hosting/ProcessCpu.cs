using System.Diagnostics;
using System.Globalization;

namespace Nexus.Benchmarks.Hosting;

/// <summary>CPU time of a process (user + system), read through <see cref="Process"/> so it works for any pid.</summary>
internal static class ProcessCpu
{
    public static TimeSpan Of(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>Share of one core a process used over a wall-clock window.</summary>
    public static async Task<double> ShareOfOneCoreAsync(Process process, TimeSpan window, CancellationToken cancellationToken)
    {
        var cpuBefore = Of(process);
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(window, cancellationToken);
        var cpu = Of(process) - cpuBefore;
        return 100 * cpu.TotalSeconds / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// CPU of the embedded PostgreSQL whose data folder is under <paramref name="dataDirectory"/>: its postmaster
    /// (found by its command line), the backends it forked, and the backends that already exited (the postmaster's
    /// reaped-children time). pg_ctl detaches the server from the host, so the host's own CPU never includes it.
    /// Null where <c>/proc</c> is not there (not Linux) or no such server runs.
    /// </summary>
    public static TimeSpan? OfPostgres(string dataDirectory)
    {
        try
        {
            if (!Directory.Exists("/proc"))
            {
                return null;
            }
            var stats = new List<(int Pid, int Parent, long Own, long Reaped, string CommandLine)>();
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(folder), out var pid))
                {
                    continue;
                }
                try
                {
                    var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                    // Fields after the command name in parentheses (which may hold spaces): state is field 3.
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
                    var commandLine = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                    stats.Add((pid, (int)Field(4), Field(14) + Field(15), Field(16) + Field(17), commandLine));
                }
                catch (IOException)
                {
                    // The process ended while being read.
                }
            }
            var postmaster = stats.FirstOrDefault(s => s.CommandLine.Contains("postgres", StringComparison.Ordinal)
                && s.CommandLine.Contains(dataDirectory, StringComparison.Ordinal) && s.CommandLine.Contains("-D", StringComparison.Ordinal));
            if (postmaster.Pid == 0)
            {
                return null;
            }
            var ticks = postmaster.Own + postmaster.Reaped + stats.Where(s => s.Parent == postmaster.Pid).Sum(s => s.Own);
            // USER_HZ is 100 on every Linux the benchmark runs on.
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
