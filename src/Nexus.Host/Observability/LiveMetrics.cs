using System.Diagnostics.Metrics;

namespace Nexus.Host.Observability;

/// <summary>The meter <c>Nexus.Live</c>: SignalR connections to <c>/hubs/live</c> on this process (<c>nexus.hub.connections</c>).</summary>
internal static class LiveMetrics
{
    public const string MeterName = "Nexus.Live";

    private static readonly Meter Meter = new(MeterName);

    private static readonly UpDownCounter<long> Connections = Meter.CreateUpDownCounter<long>(
        "nexus.hub.connections", "{connection}", "Open connections to the live hub on this process.");

    public static void Connected() => Connections.Add(1);

    public static void Disconnected() => Connections.Add(-1);
}
