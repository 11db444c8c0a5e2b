using Nexus.Benchmarks.Hosting;

namespace Nexus.Benchmarks.Live;

/// <summary>
/// The hosts' own view of the push path: their <c>nexus.live.event.lag</c> histogram (publication → the silo's
/// feed received it, → handed to SignalR) over a window, from <c>/metrics</c> scrapes of every host taken before
/// and after. Percentiles are interpolated inside the histogram's buckets, so they are estimates at its
/// resolution; set beside the clients' receipt times they show how much of the latency is the server's.
/// </summary>
internal sealed class ServerLag
{
    private const string Metric = "nexus_live_event_lag_seconds";

    private readonly IReadOnlyList<PrometheusScrape> _before;

    private ServerLag(IReadOnlyList<PrometheusScrape> before)
    {
        _before = before;
    }

    public static async Task<ServerLag> StartAsync(LiveDeployment deployment, CancellationToken cancellationToken) =>
        new(await ScrapeAsync(deployment, cancellationToken));

    /// <summary>Per stage (<c>received</c>, <c>sent</c>): event count and p50/p99 in ms over the window (null: no samples).</summary>
    public async Task<IReadOnlyDictionary<string, (double Count, double P50, double P99)?>> StopAsync(LiveDeployment deployment, CancellationToken cancellationToken)
    {
        var after = await ScrapeAsync(deployment, cancellationToken);
        var result = new Dictionary<string, (double, double, double)?>();
        foreach (var stage in new[] { "received", "sent" })
        {
            var label = $"stage=\"{stage}\"";
            var delta = new SortedDictionary<double, double>();
            for (var i = 0; i < after.Count; i++)
            {
                foreach (var (le, count) in after[i].Buckets(Metric, label))
                {
                    delta[le] = delta.GetValueOrDefault(le) + count;
                }
                foreach (var (le, count) in _before[i].Buckets(Metric, label))
                {
                    delta[le] = delta.GetValueOrDefault(le) - count;
                }
            }
            var buckets = delta.Select(b => (b.Key, b.Value)).ToArray();
            var total = buckets.Length == 0 ? 0 : buckets[^1].Value;
            result[stage] = total <= 0 ? null : (total, Percentile(buckets, 0.50) * 1000, Percentile(buckets, 0.99) * 1000);
        }
        return result;
    }

    /// <summary>Linear inside the bucket that holds the quantile; the last finite bound when it falls in +Inf.</summary>
    private static double Percentile((double Le, double Count)[] cumulative, double q)
    {
        var target = q * cumulative[^1].Count;
        var (lowerBound, lowerCount) = (0.0, 0.0);
        foreach (var (le, count) in cumulative)
        {
            if (count >= target)
            {
                if (double.IsPositiveInfinity(le))
                {
                    return lowerBound;
                }
                return count == lowerCount ? le : lowerBound + ((le - lowerBound) * (target - lowerCount) / (count - lowerCount));
            }
            (lowerBound, lowerCount) = (le, count);
        }
        return lowerBound;
    }

    private static async Task<IReadOnlyList<PrometheusScrape>> ScrapeAsync(LiveDeployment deployment, CancellationToken cancellationToken)
    {
        var scrapes = new List<PrometheusScrape>();
        for (var i = 0; i < deployment.HostUrls.Count; i++)
        {
            using var http = deployment.Api(i);
            scrapes.Add(await PrometheusScrape.TakeAsync(http, cancellationToken));
        }
        return scrapes;
    }
}
