using System.Runtime.InteropServices;
using Nexus.Benchmarks.Hosting;
using Nexus.Benchmarks.Listing;
using Nexus.Benchmarks.Reporting;
using Nexus.Benchmarks.Timeouts;

// Usage: dotnet run -c Release --project tests/Nexus.Benchmarks -- [--quick] [--out results.json] [--only timeouts,listing-baseline,host]
if (args.Length > 0 && args[0] == Nexus.Benchmarks.Relay.TlsFloor.Command)
{
    // The relay scenario's own child process (see TlsFloor), not a command for people.
    return await Nexus.Benchmarks.Relay.TlsFloor.RunChildAsync(args);
}
if (args.Length > 0 && args[0] == Nexus.Benchmarks.Relay.KestrelFloor.Command)
{
    // The same for the browser leg's floor (see KestrelFloor).
    return await Nexus.Benchmarks.Relay.KestrelFloor.RunChildAsync(args);
}
var quick = args.Contains("--quick");
var outPath = ValueOf("--out");
var only = ValueOf("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var unknown = args.Where((a, i) => a.StartsWith("--", StringComparison.Ordinal) && a is not ("--quick" or "--out" or "--only")).ToArray();
if (unknown.Length > 0)
{
    Console.Error.WriteLine($"Unknown option(s): {string.Join(' ', unknown)}. Options: --quick, --out FILE, --only {string.Join(',', Scenarios.Names)}");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var startedAt = DateTimeOffset.UtcNow;
var loadAtStart = RunConditions.ReadLoadAverage();
var measurements = new List<Measurement>();
foreach (var name in only ?? Scenarios.Names)
{
    if (!Scenarios.Names.Contains(name))
    {
        Console.Error.WriteLine($"Unknown scenario '{name}'. Scenarios: {string.Join(',', Scenarios.Names)}");
        return 2;
    }
    measurements.AddRange(await Scenarios.RunAsync(name, quick, Console.Out, cancel.Token));
}

var conditions = new RunConditions(startedAt, quick, Environment.ProcessorCount, RuntimeInformation.OSDescription,
    RuntimeInformation.FrameworkDescription, loadAtStart, RunConditions.ReadLoadAverage());
Console.WriteLine();
Console.WriteLine($"Load average at start {string.Join(' ', conditions.LoadAverageAtStart)}, at end {string.Join(' ', conditions.LoadAverageAtEnd)}; {conditions.ProcessorCount} cores.");
ResultReport.Print(Console.Out, measurements);
if (outPath is not null)
{
    await ResultReport.WriteJsonAsync(outPath, conditions, measurements);
    Console.WriteLine($"Wrote {outPath}");
}
return 0;

string? ValueOf(string option)
{
    var index = Array.IndexOf(args, option);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

/// <summary>The scenarios this console can run, in the order a full run runs them.</summary>
internal static class Scenarios
{
    public static readonly string[] Names = ["timeouts", "listing-baseline", "host", "live", "relay"];

    public static Task<IReadOnlyList<Measurement>> RunAsync(string name, bool quick, TextWriter log, CancellationToken cancellationToken) => name switch
    {
        "timeouts" => new TimeoutScenario(quick, log).RunAsync(cancellationToken),
        "listing-baseline" => new FanOutListingScenario(quick, log).RunAsync(cancellationToken),
        "host" => new HostScenario(quick, log).RunAsync(cancellationToken),
        "live" => new Nexus.Benchmarks.Live.LiveScenario(quick, log).RunAsync(cancellationToken),
        "relay" => new Nexus.Benchmarks.Relay.RelayScenario(quick, log).RunAsync(cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
