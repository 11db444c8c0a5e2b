using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Timeouts;

namespace Nexus.Proxmox.Telemetry;

/// <summary>
/// The meter <c>Nexus.Proxmox</c>: how long each call to an endpoint took and how it ended
/// (<c>nexus.proxmox.request.duration</c>), and the timeout each server has learned per endpoint and request class
/// (<c>nexus.proxmox.learned_timeout</c>, an observable gauge read at collection time). Tags stay bounded: a
/// server id, never a URL (vncwebsocket URLs carry tickets) or a name a tenant typed.
/// </summary>
/// <remarks>
/// Static, as .NET advises for a library without dependency injection: connections are built with <c>new</c>.
/// Connections are held weakly, so one that is dropped without <see cref="ProxmoxConnection.Dispose"/> never leaks.
/// </remarks>
internal static class ProxmoxMetrics
{
    public const string MeterName = "Nexus.Proxmox";

    /// <summary>The tag value for a connection built without a server id (tools, tests).</summary>
    public const string UnknownServer = "unknown";

    private static readonly Meter Meter = new(MeterName);

    // A LAN read takes 5–100 ms, a power action seconds; the learned ceilings go up to 120 s.
    private static readonly Histogram<double> RequestDuration = Meter.CreateHistogram(
        "nexus.proxmox.request.duration", "s",
        "Duration of one call to one Proxmox endpoint, retries included, by how it ended.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });

    private static readonly ConditionalWeakTable<ProxmoxConnection, object?> Live = new();

    private static readonly ObservableGauge<double> LearnedTimeout = Meter.CreateObservableGauge(
        "nexus.proxmox.learned_timeout", ObserveLearnedTimeouts, "s",
        "The timeout the next attempt will use, learned per server, endpoint role and request class.");

    public static void Track(ProxmoxConnection connection) => Live.AddOrUpdate(connection, null);

    public static void Forget(ProxmoxConnection connection) => Live.Remove(connection);

    public static void RecordRequest(string serverId, bool primary, RequestClass requestClass, string outcome, TimeSpan duration)
    {
        if (!RequestDuration.Enabled)
        {
            return;
        }
        var tags = new TagList
        {
            { "server_id", serverId },
            { "endpoint", Role(primary) },
            { "request_class", ClassName(requestClass) },
            { "outcome", outcome },
        };
        RequestDuration.Record(duration.TotalSeconds, tags);
    }

    private static IEnumerable<Measurement<double>> ObserveLearnedTimeouts()
    {
        foreach (var (connection, _) in Live)
        {
            var serverId = connection.MetricsServerId ?? UnknownServer;
            var primary = connection.Config.Primary.ToString();
            foreach (var entry in connection.Timeouts.Snapshot().Entries)
            {
                yield return new Measurement<double>(entry.State.TimeoutMs / 1000, new TagList
                {
                    { "server_id", serverId },
                    { "endpoint", Role(entry.Endpoint == primary) },
                    { "request_class", ClassName(entry.RequestClass) },
                });
            }
        }
    }

    private static string Role(bool primary) => primary ? "primary" : "secondary";

    private static string ClassName(RequestClass requestClass) => requestClass switch
    {
        RequestClass.Read => "read",
        RequestClass.List => "list",
        RequestClass.Action => "action",
        RequestClass.Console => "console",
        _ => "other",
    };
}

/// <summary>How a call to one endpoint ended, as the <c>outcome</c> tag says it.</summary>
internal static class RequestOutcome
{
    public const string Success = "success";
    public const string HttpError = "http_error";
    public const string Timeout = "timeout";
    public const string CircuitOpen = "circuit_open";
    public const string Unreachable = "unreachable";
    public const string TlsRefused = "tls_refused";
    public const string Cancelled = "cancelled";
    public const string Error = "error";
}
