using System.Diagnostics.Metrics;

namespace Nexus.Host.Observability;

/// <summary>
/// The meter <c>Nexus.Live</c>: SignalR connections to <c>/hubs/live</c> on this process (<c>nexus.hub.connections</c>)
/// and how long tenant events take from their publication to this silo (<c>nexus.live.event.lag</c>, stage
/// <c>received</c>: the stream delivered it; <c>sent</c>: handed to SignalR for this silo's connections).
/// </summary>
internal static class LiveMetrics
{
    public const string MeterName = "Nexus.Live";

    private static readonly Meter Meter = new(MeterName);

    private static readonly UpDownCounter<long> Connections = Meter.CreateUpDownCounter<long>(
        "nexus.hub.connections", "{connection}", "Open connections to the live hub on this process.");

    private static readonly Histogram<double> Lag = Meter.CreateHistogram(
        "nexus.live.event.lag", "s", "Time from a tenant event's publication (its at) to a stage on this silo.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2.5, 5] });

    private static readonly KeyValuePair<string, object?> Received = new("stage", "received");
    private static readonly KeyValuePair<string, object?> Sent = new("stage", "sent");

    public static void Connected() => Connections.Add(1);

    public static void Disconnected() => Connections.Add(-1);

    /// <summary>The stream handed the event published at <paramref name="at"/> to this silo's feed.</summary>
    public static void EventReceived(DateTimeOffset at) => RecordLag(at, Received);

    /// <summary>The event published at <paramref name="at"/> was handed to SignalR for this silo's connections.</summary>
    public static void EventSent(DateTimeOffset at) => RecordLag(at, Sent);

    private static void RecordLag(DateTimeOffset at, KeyValuePair<string, object?> stage)
    {
        if (Lag.Enabled)
        {
            Lag.Record(Math.Max(0, (DateTimeOffset.UtcNow - at).TotalSeconds), stage);
        }
    }
}
