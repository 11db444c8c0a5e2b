using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Nexus.Simulator.Benchmarks;

/// <summary>
/// Load harness for the scale claim: reads every cluster from a running simulator's admin endpoint, polls each
/// cluster's <c>/cluster/resources</c> once per interval (spread evenly, one pooled client like a control plane),
/// and reports the simulator process's CPU time over the run. Run it as a separate process so its own CPU is
/// not counted.
/// </summary>
internal static class PollHarness
{
    public static async Task<int> RunAsync(Uri admin, TimeSpan interval, TimeSpan duration)
    {
        using var adminClient = new HttpClient { BaseAddress = admin };
        var clusters = await adminClient.GetFromJsonAsync<JsonElement>("clusters");
        var targets = clusters.EnumerateArray()
            .Select(c => (Url: new Uri(new Uri(c.GetProperty("primaryUrl").GetString()!), "api2/json/cluster/resources"),
                Token: c.GetProperty("apiToken").GetString()!))
            .ToArray();
        // Pinning is not what this measures: accept the simulator's self-signed certificates.
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            PooledConnectionIdleTimeout = interval * 3,
            MaxConnectionsPerServer = 4,
        };
        using var client = new HttpClient(handler);

        var before = await adminClient.GetFromJsonAsync<JsonElement>("stats");
        var started = Stopwatch.StartNew();
        long requests = 0, failures = 0, bytes = 0;
        var latencies = new List<double>();
        var gap = interval / Math.Max(1, targets.Length);
        var rounds = new List<Task>();
        while (started.Elapsed < duration)
        {
            var roundStart = started.Elapsed;
            foreach (var (url, token) in targets)
            {
                rounds.Add(PollOneAsync(client, url, token));
                await Task.Delay(gap);
            }
            var rest = interval - (started.Elapsed - roundStart);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }
        await Task.WhenAll(rounds);
        var after = await adminClient.GetFromJsonAsync<JsonElement>("stats");

        var cpu = after.GetProperty("cpuSeconds").GetDouble() - before.GetProperty("cpuSeconds").GetDouble();
        var wall = after.GetProperty("uptimeSeconds").GetDouble() - before.GetProperty("uptimeSeconds").GetDouble();
        latencies.Sort();
        Console.WriteLine($"clusters {targets.Length}, interval {interval.TotalSeconds} s, wall {wall:0.0} s");
        Console.WriteLine($"requests {requests}, failures {failures}, avg body {(requests == 0 ? 0 : bytes / requests)} bytes");
        if (latencies.Count > 0)
        {
            Console.WriteLine($"latency p50 {latencies[latencies.Count / 2]:0.0} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:0.0} ms");
        }
        Console.WriteLine($"simulator CPU {cpu:0.00} s over {wall:0.0} s = {100 * cpu / wall:0.0} % of one core");
        Console.WriteLine($"simulator working set {after.GetProperty("workingSetBytes").GetInt64() / (1024 * 1024)} MiB, threads {after.GetProperty("threads").GetInt32()}");
        return failures == 0 ? 0 : 1;

        async Task PollOneAsync(HttpClient http, Uri url, string token)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.TryAddWithoutValidation("Authorization", $"PVEAPIToken={token}");
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                lock (latencies)
                {
                    requests++;
                    bytes += body.Length;
                    latencies.Add(watch.Elapsed.TotalMilliseconds);
                    if (!response.IsSuccessStatusCode)
                    {
                        failures++;
                    }
                }
            }
            catch (HttpRequestException)
            {
                lock (latencies)
                {
                    requests++;
                    failures++;
                }
            }
        }
    }
}
