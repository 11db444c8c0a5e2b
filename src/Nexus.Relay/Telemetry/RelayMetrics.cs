using System.Diagnostics.Metrics;

namespace Nexus.Relay.Telemetry;

/// <summary>
/// The meter <c>Nexus.Relay</c>: consoles this process pumps (<c>nexus.consoles.active</c>) and the bytes it moves
/// (<c>nexus.relay.bytes</c>, tag <c>direction</c> = to_browser|to_proxmox). On the byte path: one add per chunk,
/// no allocation (a single pre-built tag).
/// </summary>
internal static class RelayMetrics
{
    public const string MeterName = "Nexus.Relay";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>(
        "nexus.relay.bytes", "By", "Console bytes relayed, by direction.");

    private static readonly UpDownCounter<long> Active = Meter.CreateUpDownCounter<long>(
        "nexus.consoles.active", "{console}", "Console sessions this process is pumping.");

    private static readonly KeyValuePair<string, object?> ToBrowserTag = new("direction", "to_browser");
    private static readonly KeyValuePair<string, object?> ToProxmoxTag = new("direction", "to_proxmox");

    public static void ToBrowser(long bytes) => Bytes.Add(bytes, ToBrowserTag);

    public static void ToProxmox(long bytes) => Bytes.Add(bytes, ToProxmoxTag);

    public static void ConsoleStarted() => Active.Add(1);

    public static void ConsoleEnded() => Active.Add(-1);
}
