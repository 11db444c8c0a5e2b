using System.Diagnostics;
using Nexus.Simulator.Clusters;

namespace Nexus.Simulator.Hosting;

/// <summary>
/// Flips guests between running and stopped "from outside" at a steady rate, for load runs that need a known
/// number of state changes per second (the live-updates benchmark). Guests are taken round-robin, interleaved
/// across clusters, so every cluster changes at the same rate and a guest changes again only after all the
/// others did: a poller slower than one lap would otherwise miss a guest that flipped twice. Templates are
/// left alone (they never run).
/// </summary>
internal sealed class GuestChurn(IReadOnlyList<SimulatedCluster> clusters) : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private (SimulatedCluster Cluster, int Vmid)[]? _order;
    private CancellationTokenSource? _running;
    private Task _loop = Task.CompletedTask;
    private double _rate;
    private long _changes;
    private int _next;

    /// <summary>What <c>GET /churn</c> answers: the rate asked for and the guests changed since the simulator started.</summary>
    public ChurnState State => new(Volatile.Read(ref _rate), Interlocked.Read(ref _changes), Order().Length);

    /// <summary>Starts (or re-rates) the churn; 0 stops it.</summary>
    public async Task SetRateAsync(double changesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(changesPerSecond);
        await StopAsync().ConfigureAwait(false);
        if (changesPerSecond == 0)
        {
            return;
        }
        lock (_gate)
        {
            Volatile.Write(ref _rate, changesPerSecond);
            _running = new CancellationTokenSource();
            _loop = RunAsync(changesPerSecond, _running.Token);
        }
    }

    public async Task StopAsync()
    {
        Task loop;
        lock (_gate)
        {
            _running?.Cancel();
            loop = _loop;
        }
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        lock (_gate)
        {
            _running?.Dispose();
            _running = null;
            Volatile.Write(ref _rate, 0);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task RunAsync(double rate, CancellationToken cancellationToken)
    {
        var order = Order();
        if (order.Length == 0)
        {
            return;
        }
        // Paced against the clock, not per tick: a late tick catches up instead of lowering the rate.
        var started = Stopwatch.GetTimestamp();
        long done = 0;
        using var timer = new PeriodicTimer(Tick);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var due = (long)(rate * Stopwatch.GetElapsedTime(started).TotalSeconds) - done;
            for (var i = 0; i < due; i++)
            {
                var (cluster, vmid) = order[_next];
                _next = (_next + 1) % order.Length;
                var current = cluster.FindGuest(vmid)?.State;
                cluster.SetGuestState(vmid, current == GuestRunState.Running ? GuestRunState.Stopped : GuestRunState.Running);
                Interlocked.Increment(ref _changes);
            }
            done += Math.Max(due, 0);
        }
    }

    private (SimulatedCluster Cluster, int Vmid)[] Order()
    {
        if (_order is { } order)
        {
            return order;
        }
        var perCluster = clusters.Select(c => c.Guests.Where(g => !g.Template).Select(g => (c, g.Vmid)).ToArray()).ToArray();
        var longest = perCluster.Length == 0 ? 0 : perCluster.Max(g => g.Length);
        var interleaved = new List<(SimulatedCluster, int)>();
        for (var i = 0; i < longest; i++)
        {
            interleaved.AddRange(perCluster.Where(g => i < g.Length).Select(g => g[i]));
        }
        return _order = [.. interleaved];
    }
}

/// <summary>The churn's requested rate, the guest changes made so far and how many guests take part.</summary>
internal sealed record ChurnState(double ChangesPerSecond, long Changes, int Guests);
