using System.Diagnostics;
using Nexus.Benchmarks.Reporting;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Timeouts;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Faults;
using Nexus.Simulator.Hosting;

namespace Nexus.Benchmarks.Timeouts;

/// <summary>
/// Issue 5 item 3: the prototype's fixed 10 s timeout against the learned (RFC 6298) estimator, on one simulated
/// endpoint per latency profile. Each case learns from real calls first (<c>GET /version</c>, class Read), counting
/// attempts that timed out although the endpoint was alive (false timeouts); then the listener hangs and one call
/// measures how long the client takes to give the endpoint up.
/// </summary>
internal sealed class TimeoutScenario(bool quick, TextWriter log)
{
    private const string Name = "timeouts";
    private const int Concurrency = 4; // below MaxConnectionsPerEndpoint (6), so pool queueing does not pollute latency.

    private static readonly (string Name, FaultSettings Faults)[] Profiles =
    [
        ("normal 100±25 ms", new FaultSettings
        {
            LatencyKind = LatencyKind.Normal, Latency = TimeSpan.FromMilliseconds(100), LatencyStdDev = TimeSpan.FromMilliseconds(25),
        }),
        ("long-tail 50 ms, 5% +1 s", new FaultSettings
        {
            LatencyKind = LatencyKind.LongTail, Latency = TimeSpan.FromMilliseconds(50), TailProbability = 0.05, TailLatency = TimeSpan.FromSeconds(1),
        }),
    ];

    private static readonly (string Name, Func<RequestClass, TimeoutPolicy> Policies, bool Diagnostic)[] Clients =
    [
        ("fixed 10 s (prototype)", _ => new TimeoutPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), false),
        ("learned (default policy)", TimeoutPolicy.For, false),
        // Diagnostic only: the estimator with a 100 ms floor instead of the policy's, to show what the floor costs and buys.
        ("learned, 100 ms floor", c => TimeoutPolicy.For(c) with { Floor = TimeSpan.FromMilliseconds(100) }, true),
    ];

    public async Task<IReadOnlyList<Measurement>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<Measurement>();
        foreach (var (profileName, faults) in Profiles)
        {
            var requests = quick ? 200 : faults.LatencyKind == LatencyKind.LongTail ? 1500 : 500;
            // The endpoint's own p99 comes from the fixed-10 s client (first in the list): it never cuts a slow
            // answer short, so its latencies are the endpoint's; the learned clients' retries would hide the tail.
            double? endpointP99 = null;
            foreach (var (clientName, policies, diagnostic) in Clients)
            {
                var label = $"{profileName} / {clientName}";
                log.WriteLine($"[{Name}] {label}: {requests} calls, then hang");
                var (measurements, p99) = await RunCaseAsync(label, faults, policies, diagnostic, requests, endpointP99, cancellationToken);
                endpointP99 ??= p99;
                results.AddRange(measurements);
            }
        }
        return results;
    }

    private static async Task<(IReadOnlyList<Measurement> Measurements, double P99)> RunCaseAsync(string label, FaultSettings faults,
        Func<RequestClass, TimeoutPolicy> policies, bool diagnostic, int requests, double? endpointP99, CancellationToken cancellationToken)
    {
        await using var simulator = await ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = 1, NodesPerCluster = 1, GuestsPerCluster = 4, SecondaryAddress = null, AuthFailureDelay = TimeSpan.Zero,
        }, cancellationToken);
        var cluster = simulator.Clusters[0];
        cluster.Faults.Set(faults);
        var endpoint = new ProxmoxEndpoint(cluster.Primary.EndPoint.Address.ToString(), cluster.Primary.EndPoint.Port);
        var config = new ProxmoxServerConfig(cluster.Name, endpoint, null,
            ProxmoxTrust.Pinned(cluster.Fingerprint(cluster.Primary.Node)), ProxmoxApiToken.Parse(cluster.ApiToken));
        var book = new TimeoutBook(policies);
        // The learning phase uses the production options (2 retries, breaker); the breaker's 50 % ratio is never
        // reached by false timeouts at these rates, so every call reaches the endpoint.
        await using var connection = new ProxmoxConnection(config, new ProxmoxClientOptions { TimeoutPolicies = policies }, book);
        var latencies = await LoadAsync(connection, requests, cancellationToken);
        var estimator = book.For(endpoint.ToString(), RequestClass.Read).Snapshot();
        var attempts = estimator.Samples + estimator.Timeouts;
        var p99 = Percentiles.Of(latencies.Succeeded, 99);
        var falseRate = attempts == 0 ? double.NaN : 100.0 * estimator.Timeouts / attempts;

        // Detection: one attempt, no retry, so the figure is the time one call waits on a dead endpoint.
        await using var detector = new ProxmoxConnection(config, new ProxmoxClientOptions { TimeoutPolicies = policies, MaxRetries = 0 }, book);
        var learnedTimeout = book.For(endpoint.ToString(), RequestClass.Read).Timeout;
        cluster.Primary.Faults.Set(new FaultSettings { Hang = true });
        var detect = await TimeToGiveUpAsync(detector, cancellationToken);
        var detectTarget = 3 * (endpointP99 ?? p99);

        var scenario = diagnostic ? Name + " (diagnostic)" : Name;
        return (
        [
            new(scenario, label, "client latency p50", Percentiles.Of(latencies.Succeeded, 50), "ms"),
            new(scenario, label, "client latency p99", p99, "ms"),
            new(scenario, label, "timeout in force at hang", learnedTimeout.TotalMilliseconds, "ms"),
            new(scenario, label, "detect dead endpoint", detect, "ms", $"≤ {detectTarget:0} ms (3 × endpoint p99)", detect <= detectTarget),
            new(scenario, label, "false timeouts (attempts)", estimator.Timeouts, "count"),
            new(scenario, label, "false-timeout rate", falseRate, "%", "≤ 0.5 %", falseRate <= 0.5),
            new(scenario, label, "failed calls (after retries)", latencies.Failed, "count"),
        ], p99);
    }

    private static async Task<(List<double> Succeeded, int Failed)> LoadAsync(ProxmoxConnection connection, int requests, CancellationToken cancellationToken)
    {
        var succeeded = new List<double>(requests);
        var failed = 0;
        var next = -1;
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await connection.GetVersionAsync(cancellationToken);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (succeeded)
                    {
                        succeeded.Add(elapsed);
                    }
                }
                catch (ProxmoxUnreachableException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        });
        await Task.WhenAll(workers);
        return (succeeded, failed);
    }

    private static async Task<double> TimeToGiveUpAsync(ProxmoxConnection connection, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await connection.GetVersionAsync(cancellationToken);
        }
        catch (ProxmoxUnreachableException)
        {
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        throw new InvalidOperationException("A hanging listener answered.");
    }
}
