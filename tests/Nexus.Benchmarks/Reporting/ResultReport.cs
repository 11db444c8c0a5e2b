using System.Globalization;
using System.Text.Json;

namespace Nexus.Benchmarks.Reporting;

/// <summary>Prints the measurements as a table and writes them as JSON with the run's conditions.</summary>
internal static class ResultReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A percentile of no samples is NaN; it is written as "NaN" rather than failing the whole report.
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Print(TextWriter output, IReadOnlyList<Measurement> measurements)
    {
        var rows = measurements.Select(m => new[]
        {
            m.Scenario, m.Case, m.Metric, Format(m.Value) + " " + m.Unit, m.Target ?? "", m.Met switch { true => "yes", false => "NO", null => "" },
        }).ToList();
        string[] header = ["scenario", "case", "metric", "value", "target", "met"];
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Line(header, widths));
        output.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    public static async Task WriteJsonAsync(string path, RunConditions conditions, IReadOnlyList<Measurement> measurements)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, new { conditions, measurements }, Json);
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i])));

    private static string Format(double value) =>
        double.IsNaN(value) ? "n/a"
        : Math.Abs(value) >= 100 || value == Math.Floor(value) ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Where and how a run happened, so a figure can be read against the machine's load.</summary>
internal sealed record RunConditions(
    DateTimeOffset StartedUtc, bool Quick, int ProcessorCount, string Os, string Runtime, double[] LoadAverageAtStart, double[] LoadAverageAtEnd)
{
    public static double[] ReadLoadAverage()
    {
        try
        {
            // Linux only; other systems report nothing rather than failing the run.
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3)
                .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }
}
