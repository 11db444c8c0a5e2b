using System.Diagnostics;
using Nexus.Benchmarks.Hosting;

namespace Nexus.Benchmarks.Live;

/// <summary>
/// CPU of each process of the run over one wall-clock window, as a share of one core: the two hosts, their
/// PostgreSQL (detached from host 1, so in neither host's figure), this benchmark process (the clients) and the
/// simulator (from its admin <c>/stats</c>). They share the machine's cores, so each is reported on its own.
/// </summary>
internal sealed class CpuWindow
{
    private readonly LiveDeployment _deployment;
    private readonly TimeSpan[] _hosts;
    private readonly TimeSpan _self;
    private readonly double _simulator;
    private readonly TimeSpan? _postgres;
    private readonly long _started;

    private CpuWindow(LiveDeployment deployment, TimeSpan[] hosts, TimeSpan self, double simulator)
    {
        _deployment = deployment;
        _hosts = hosts;
        _self = self;
        _simulator = simulator;
        _postgres = ProcessCpu.OfPostgres(deployment.PostgresDirectory);
        _started = Stopwatch.GetTimestamp();
    }

    public static async Task<CpuWindow> StartAsync(LiveDeployment deployment, CancellationToken cancellationToken) =>
        new(deployment, deployment.Hosts.Select(h => ProcessCpu.Of(h.Process)).ToArray(), Self(),
            await deployment.SimulatorCpuSecondsAsync(cancellationToken));

    /// <summary>Host shares (one per host), PostgreSQL's (NaN if not found), this process's and the simulator's, in % of one core.</summary>
    public async Task<CpuShares> StopAsync(CancellationToken cancellationToken)
    {
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var hosts = _deployment.Hosts.Select((h, i) => 100 * (ProcessCpu.Of(h.Process) - _hosts[i]).TotalSeconds / seconds).ToArray();
        var self = 100 * (Self() - _self).TotalSeconds / seconds;
        var simulator = 100 * (await _deployment.SimulatorCpuSecondsAsync(cancellationToken) - _simulator) / seconds;
        var postgres = _postgres is { } before && ProcessCpu.OfPostgres(_deployment.PostgresDirectory) is { } after
            ? 100 * (after - before).TotalSeconds / seconds
            : double.NaN;
        return new CpuShares(hosts, postgres, self, simulator);
    }

    private static TimeSpan Self()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}

/// <summary>One window's CPU, in % of one core per process.</summary>
internal sealed record CpuShares(double[] Hosts, double Postgres, double Benchmark, double Simulator);
