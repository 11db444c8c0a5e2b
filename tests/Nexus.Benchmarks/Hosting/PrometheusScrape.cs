using System.Globalization;

namespace Nexus.Benchmarks.Hosting;

/// <summary>
/// One scrape of the host's <c>GET /metrics</c> (Prometheus text format), summed per metric name over its label
/// sets. Hand-parsed: the benchmark needs two counters, and the format's sample lines are
/// <c>name{labels} value [timestamp]</c>, which a client library would only add a dependency for.
/// </summary>
internal sealed class PrometheusScrape
{
    private readonly Dictionary<string, double> _sums;
    private readonly List<(string Name, string Labels, double Value)> _samples;

    private PrometheusScrape(Dictionary<string, double> sums, List<(string, string, double)> samples, string? problem)
    {
        _sums = sums;
        _samples = samples;
        Problem = problem;
    }

    /// <summary>Why nothing was scraped (no endpoint, an error status), or null.</summary>
    public string? Problem { get; }

    public static async Task<PrometheusScrape> TakeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            // The endpoint is anonymous on loopback; a bearer header set for the API must not matter either way.
            request.Headers.Authorization = null;
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return new([], [], $"GET /metrics answered {(int)response.StatusCode}");
            }
            var samples = new List<(string, string, double)>();
            return new(Parse(await response.Content.ReadAsStringAsync(cancellationToken), samples), samples, null);
        }
        catch (HttpRequestException ex)
        {
            return new([], [], $"GET /metrics failed: {ex.Message}");
        }
    }

    /// <summary>Sum of every sample of the first of <paramref name="names"/> that is present, or null.</summary>
    public double? Sum(params string[] names)
    {
        foreach (var name in names)
        {
            if (_sums.TryGetValue(name, out var value))
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>
    /// The cumulative buckets <c>(le, count)</c> of histogram <paramref name="name"/> (its <c>_bucket</c> samples)
    /// whose labels contain <paramref name="label"/> (such as <c>stage="sent"</c>), in the order scraped.
    /// </summary>
    public IReadOnlyList<(double Le, double Count)> Buckets(string name, string label) =>
        _samples.Where(s => s.Name == name + "_bucket" && s.Labels.Contains(label, StringComparison.Ordinal))
            .Select(s => (Le(s.Labels), s.Value))
            .OrderBy(b => b.Item1)
            .ToList();

    private static double Le(string labels)
    {
        var start = labels.IndexOf("le=\"", StringComparison.Ordinal) + 4;
        var text = labels[start..labels.IndexOf('"', start)];
        return text == "+Inf" ? double.PositiveInfinity : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public static Dictionary<string, double> Parse(string text, List<(string Name, string Labels, double Value)>? samples = null)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                continue;
            }
            string name;
            string rest;
            var labels = "";
            if (brace >= 0 && brace < space)
            {
                // Label values are quoted and may hold spaces, so the value starts after the closing brace.
                var close = line.LastIndexOf('}');
                if (close < brace)
                {
                    continue;
                }
                name = line[..brace];
                labels = line[(brace + 1)..close];
                rest = line[(close + 1)..].Trim();
            }
            else
            {
                name = line[..space];
                rest = line[(space + 1)..].Trim();
            }
            var valueText = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (valueText is null || !double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
            {
                continue;
            }
            sums[name] = sums.GetValueOrDefault(name) + value;
            samples?.Add((name, labels, value));
        }
        return sums;
    }
}
