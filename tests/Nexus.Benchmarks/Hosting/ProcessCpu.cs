using System.Diagnostics;

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
}
