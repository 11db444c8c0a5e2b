namespace Nexus.Proxmox.Api.Models;

/// <summary><c>rrddata?timeframe=</c>.</summary>
public enum RrdTimeframe
{
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// <summary>RRD consolidation function.</summary>
public enum RrdConsolidation
{
    Average,
    Max,
}

/// <summary>
/// One row of <c>rrddata</c>. The data sources vary by PVE version and guest state, and a missing value is
/// omitted rather than null, so the values are a dictionary. <c>netin</c>/<c>netout</c>/<c>diskread</c>/
/// <c>diskwrite</c> are bytes per second here (RRD DERIVE), not the counters of status/current.
/// </summary>
public sealed record RrdDataPoint(DateTimeOffset Time, IReadOnlyDictionary<string, double> Values)
{
    public double? this[string source] => Values.TryGetValue(source, out var value) ? value : null;

    public double? Cpu => this["cpu"];

    public double? Mem => this["mem"];

    public double? MaxMem => this["maxmem"];

    public double? NetIn => this["netin"];

    public double? NetOut => this["netout"];

    public double? DiskRead => this["diskread"];

    public double? DiskWrite => this["diskwrite"];
}
