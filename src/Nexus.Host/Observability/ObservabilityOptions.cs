using System.ComponentModel.DataAnnotations;
using System.Net;
using IPNetwork = System.Net.IPNetwork;

namespace Nexus.Host.Observability;

/// <summary>
/// Metrics, traces and the Orleans Dashboard (configuration section <c>Nexus:Observability</c>). The defaults
/// serve <c>GET /metrics</c> to loopback only, export nothing, and keep the dashboard for global admins.
/// </summary>
internal sealed class ObservabilityOptions : IValidatableObject
{
    public const string Section = "Nexus:Observability";

    /// <summary>The standard OpenTelemetry variable, honoured as well (the SDK reads it from configuration).</summary>
    public const string StandardOtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Serve the Prometheus scrape at <c>GET /metrics</c> on the normal port.</summary>
    public bool MetricsEndpoint { get; set; } = true;

    /// <summary>
    /// Who may scrape <c>/metrics</c>: addresses or CIDR networks, compared with the client address after
    /// forwarded headers (<c>Nexus:Network</c>). Metrics tell server ids, call rates and failures, so anyone else
    /// gets 404. Empty: loopback only; setting it replaces that default.
    /// </summary>
    public List<string> MetricsNetworks { get; set; } = [];

    /// <summary>
    /// Where traces and metrics are pushed with OTLP (e.g. <c>http://otel-collector:4317</c>). Unset, with no
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> either: nothing is exported and no spans are recorded.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318), as OTEL_EXPORTER_OTLP_PROTOCOL names them.</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The Orleans Dashboard at <see cref="DashboardPath"/>, for global admins (every silo must agree).</summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>How long a dashboard session cookie lasts; the user is re-checked on every dashboard request anyway.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "08:00:00")]
    public TimeSpan DashboardSessionLifetime { get; set; } = TimeSpan.FromMinutes(30);

    public const string DashboardPath = "/orleans-dashboard";

    /// <summary>The networks of <see cref="MetricsNetworks"/>, loopback when none is set.</summary>
    internal IReadOnlyList<IPNetwork> ParsedMetricsNetworks =>
        MetricsNetworks.Count == 0
            ? [new IPNetwork(IPAddress.Loopback, 8), new IPNetwork(IPAddress.IPv6Loopback, 128)]
            : MetricsNetworks.Select(n => ParseNetwork(n)!.Value).ToList();

    internal bool HttpProtobuf => OtlpProtocol == "http/protobuf";

    /// <summary>Whether anything is exported with OTLP, by this section or by the standard variable.</summary>
    internal bool ExportsOtlp(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(OtlpEndpoint) || !string.IsNullOrWhiteSpace(configuration[StandardOtlpEndpointKey]);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in MetricsNetworks.Where(n => ParseNetwork(n) is null))
        {
            yield return new ValidationResult($"'{network}' is not an IP address or a network in CIDR form", [nameof(MetricsNetworks)]);
        }
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint)
            && (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult("must be an absolute http:// or https:// URL", [nameof(OtlpEndpoint)]);
        }
        if (OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            yield return new ValidationResult("must be 'grpc' or 'http/protobuf'", [nameof(OtlpProtocol)]);
        }
    }

    private static IPNetwork? ParseNetwork(string value)
    {
        if (IPNetwork.TryParse(value, out var network))
        {
            return network;
        }
        return IPAddress.TryParse(value, out var address)
            ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }
}
