using System.Diagnostics;
using Nexus.Benchmarks.Reporting;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Timeouts;
using Nexus.Simulator.Hosting;

namespace Nexus.Benchmarks.Listing;

/// <summary>
/// Issue 5 (b), the baseline half: listing a tenant's VMs the way the prototype did, by asking every server for
/// <c>GET /cluster/resources?type=vm</c> on each request and filtering, sorting and paging the union in memory.
/// 10,000 guests (200 simulated clusters × 50), 50 concurrent listers asking for page 1 of 50, sorted by name.
/// </summary>
internal sealed class FanOutListingScenario(bool quick, TextWriter log)
{
    private const string Name = "vm-listing";
    private const int Clusters = 200;
    private const int GuestsPerCluster = 50;
    private const int Concurrency = 50;
    private const int PageSize = 50;

    /// <summary>
    /// The prototype's client: a fixed 10 s timeout, no retry and no breaker (a minimum throughput it never reaches),
    /// so an overloaded fan-out shows up as slow or timed-out listings rather than as fast breaker rejections.
    /// </summary>
    private static readonly ProxmoxClientOptions PrototypeOptions = new()
    {
        TimeoutPolicies = _ => new TimeoutPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)),
        MaxRetries = 0,
        BreakerMinimumThroughput = int.MaxValue,
    };

    public async Task<IReadOnlyList<Measurement>> RunAsync(CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(quick ? 10 : 30);
        log.WriteLine($"[{Name}] starting {Clusters} simulated clusters × {GuestsPerCluster} guests");
        await using var simulator = await ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = Clusters, NodesPerCluster = 3, GuestsPerCluster = GuestsPerCluster, SecondaryAddress = null,
            AuthFailureDelay = TimeSpan.Zero,
        }, cancellationToken);
        var connections = simulator.Clusters.Select(c => new ProxmoxConnection(new ProxmoxServerConfig(c.Name,
            new ProxmoxEndpoint(c.Primary.EndPoint.Address.ToString(), c.Primary.EndPoint.Port), null,
            ProxmoxTrust.Pinned(c.Fingerprint(c.Primary.Node)), ProxmoxApiToken.Parse(c.ApiToken)), PrototypeOptions)).ToArray();
        try
        {
            // Warm-up: TLS handshakes and the estimators' first samples are not part of a steady-state request.
            var warm = await ListPageAsync(connections, cancellationToken);
            // One lister alone first: the fan-out's own latency, before 50 of them compete.
            var alone = new List<double>();
            for (var i = 0; i < (quick ? 5 : 20); i++)
            {
                var started = Stopwatch.GetTimestamp();
                await ListPageAsync(connections, cancellationToken);
                alone.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            log.WriteLine($"[{Name}] fan-out baseline: {warm.Total} guests visible; {Concurrency} concurrent listers for {duration.TotalSeconds} s");
            var latencies = new List<double>();
            var failures = 0;
            string? firstFailure = null;
            var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
            {
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        await ListPageAsync(connections, cancellationToken);
                        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        lock (latencies)
                        {
                            latencies.Add(elapsed);
                        }
                    }
                    catch (ProxmoxException ex)
                    {
                        Interlocked.CompareExchange(ref firstFailure, ex.Message, null);
                        Interlocked.Increment(ref failures);
                    }
                }
            });
            await Task.WhenAll(workers);
            if (firstFailure is not null)
            {
                log.WriteLine($"[{Name}] {failures} failed listings; first: {firstFailure}");
            }
            const string label = "fan-out per request (prototype baseline)";
            var p99 = Percentiles.Of(latencies, 99);
            return
            [
                new(Name, label, "guests (templates dropped)", warm.Total, "VMs"),
                new(Name, label, "1 lister: latency p50", Percentiles.Of(alone, 50), "ms"),
                new(Name, label, "1 lister: latency p99", Percentiles.Of(alone, 99), "ms"),
                new(Name, label, "50 listers: completed requests", latencies.Count, "count"),
                new(Name, label, "50 listers: throughput", latencies.Count / duration.TotalSeconds, "req/s"),
                new(Name, label, "50 listers: latency p50", Percentiles.Of(latencies, 50), "ms"),
                new(Name, label, "50 listers: latency p99", p99, "ms", "≤ 50 ms", p99 <= 50),
                new(Name, label, "50 listers: failed requests", failures, "count"),
            ];
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<(int Total, IReadOnlyList<ClusterResource> Page)> ListPageAsync(
        ProxmoxConnection[] connections, CancellationToken cancellationToken)
    {
        var perServer = await Task.WhenAll(connections.Select(c => c.GetClusterResourcesAsync(ClusterResourceType.Vm, cancellationToken)));
        var guests = perServer.SelectMany(r => r.Value).Where(r => r.Template != true).ToList();
        var page = guests
            .OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase).ThenBy(g => g.VmId)
            .Take(PageSize)
            .ToArray();
        return (guests.Count, page);
    }
}
