using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using Nexus.Simulator.Clusters;

namespace Nexus.Benchmarks.Relay;

/// <summary>Many consoles of one path opened a few at a time and held open (idle) until disposed.</summary>
internal sealed class ConsoleBatch(ConsolePath path) : IAsyncDisposable
{
    private const int Parallelism = 4;

    private readonly ConcurrentBag<RfbBenchClient> _clients = [];
    private readonly ConcurrentBag<double> _openTimes = [];
    private int _failures;
    private string? _firstFailure;

    public int Open => _clients.Count;

    public int Failures => _failures;

    public string? FirstFailure => _firstFailure;

    /// <summary>Milliseconds from the open request to ServerInit, per console.</summary>
    public IReadOnlyList<double> OpenTimes => [.. _openTimes];

    public async Task OpenAsync(IEnumerable<GuestInfo> guests, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(guests, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (guest, ct) =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    _clients.Add(await path.ConnectAsync(guest, ct));
                    _openTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception e) when (e is InvalidOperationException or WebSocketException or IOException or InvalidDataException or HttpRequestException)
                {
                    Interlocked.Increment(ref _failures);
                    Interlocked.CompareExchange(ref _firstFailure, e.Message, null);
                }
            });

    public async ValueTask DisposeAsync() =>
        await Parallel.ForEachAsync(_clients, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (client, _) => await client.DisposeAsync());
}
