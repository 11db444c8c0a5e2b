using System.Diagnostics.Metrics;

namespace Nexus.Grains.Telemetry;

/// <summary>
/// The meter <c>Nexus.Inventory</c>: every poll of a server's <c>/cluster/resources</c>
/// (<c>nexus.server.polls</c>, tag <c>outcome</c> = success|failure). Per-server detail is in
/// <c>nexus.proxmox.request.duration</c>; this counter answers "is polling happening, and does it work".
/// </summary>
internal static class InventoryMetrics
{
    public const string MeterName = "Nexus.Inventory";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Polls = Meter.CreateCounter<long>(
        "nexus.server.polls", "{poll}", "Polls of Proxmox servers, by outcome.");

    private static readonly KeyValuePair<string, object?> Success = new("outcome", "success");
    private static readonly KeyValuePair<string, object?> Failure = new("outcome", "failure");

    public static void PollCompleted(bool success) => Polls.Add(1, success ? Success : Failure);
}
