using System.Globalization;
using System.Text.RegularExpressions;

namespace Nexus.Tests.Observability;

/// <summary>A Prometheus text exposition, read as a scraper would: samples by metric name and labels.</summary>
internal sealed partial class PrometheusText(string text)
{
    public string Text { get; } = text;

    /// <summary>Samples named exactly <paramref name="name"/> whose labels include every pair of <paramref name="labels"/>.</summary>
    public IReadOnlyList<(Dictionary<string, string> Labels, double Value)> Samples(string name, params (string Label, string Value)[] labels)
    {
        var found = new List<(Dictionary<string, string>, double)>();
        foreach (var line in Text.Split('\n'))
        {
            var match = Sample().Match(line);
            if (!match.Success || match.Groups["name"].Value != name)
            {
                continue;
            }
            var pairs = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            if (labels.All(l => pairs.TryGetValue(l.Label, out var v) && v == l.Value))
            {
                found.Add((pairs, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
            }
        }
        return found;
    }

    public double Sum(string name, params (string Label, string Value)[] labels) => Samples(name, labels).Sum(s => s.Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?\s*$")]
    private static partial Regex Sample();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();
}
