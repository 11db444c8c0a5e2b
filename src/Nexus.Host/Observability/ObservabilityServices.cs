using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Authentication;
using Npgsql;
using Nexus.Host.Startup;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using Orleans.Diagnostics;

namespace Nexus.Host.Observability;

/// <summary>
/// OpenTelemetry for the whole process: metrics always (Prometheus scrape and/or OTLP), traces only when an OTLP
/// endpoint is configured (spans nobody receives are not worth recording); and the Orleans Dashboard.
/// </summary>
internal static class ObservabilityServices
{
    /// <summary>Every Nexus meter: Nexus.Proxmox, Nexus.Inventory, Nexus.Relay, Nexus.Live.</summary>
    private const string NexusMeters = "Nexus.*";

    // The runtime's built-in meter (.NET 9+): GC, JIT, thread pool, exceptions, without an extra package.
    private const string RuntimeMeter = "System.Runtime";

    private const string OrleansMeter = "Microsoft.Orleans";

    // OpenTelemetry reserves every metric's whole cardinality limit up front (2,000 points by default): with Orleans'
    // few hundred instruments that was about 60 MB of heap per silo. The framework instruments have few label sets
    // (methods × routes × status codes, a few hundred at most); ours keep the default, since they carry a label per Proxmox server.
    private const int FrameworkCardinalityLimit = 500;

    private const string ServiceName = "nexus";

    public static ObservabilityOptions AddNexusObservability(this WebApplicationBuilder builder)
    {
        var options = StartupOptions.BindAndValidate<ObservabilityOptions>(builder.Configuration, ObservabilityOptions.Section);
        StartupOptions.Register(builder.Services, options);
        var otlp = options.ExportsOtlp(builder.Configuration);
        if (!otlp && !options.MetricsEndpoint)
        {
            return options;
        }

        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(ServiceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(NexusMeters, RuntimeMeter, OrleansMeter)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddView(FrameworkCardinality);
            if (options.MetricsEndpoint)
            {
                metrics.AddPrometheusExporter();
            }
            if (otlp)
            {
                metrics.AddOtlpExporter(o => Configure(o, options, "v1/metrics"));
            }
        });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                // Before the exporter: it must see spans only after their query values are gone.
                .AddProcessor(new TelemetryRedaction())
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsPolledByMachines(context.Request.Path))
                .AddHttpClientInstrumentation()
                // Npgsql records the SQL text with its placeholders ($1), never parameter values.
                .AddNpgsql()
                .AddSource(ActivitySources.ApplicationGrainActivitySourceName, ActivitySources.StorageActivitySourceName)
                .AddOtlpExporter(o => Configure(o, options, "v1/traces")));
        }
        if (options.MetricsEndpoint)
        {
            builder.Services.AddSingleton(services => new MetricsAccess(options.ParsedMetricsNetworks, services.GetRequiredService<ILogger<MetricsAccess>>()));
        }
        if (options.Dashboard)
        {
            builder.Services.AddSingleton<DashboardSessions>();
            builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, DashboardAuthentication>(DashboardAuthentication.SchemeName, null);
            builder.Services.AddAuthorizationBuilder().AddPolicy(DashboardAuthentication.Policy, policy => policy
                .AddAuthenticationSchemes(DashboardAuthentication.SchemeName)
                .RequireClaim(DashboardAuthentication.GlobalAdminClaim));
        }
        return options;
    }

    /// <summary>Grain-call trace propagation and the dashboard's grains, services and call profiler, on every silo.</summary>
    public static void AddNexusObservability(this ISiloBuilder silo, ObservabilityOptions options, IConfiguration configuration)
    {
        if (options.ExportsOtlp(configuration))
        {
            silo.AddActivityPropagation();
        }
        if (options.Dashboard)
        {
            // The trace page streams the silo's log lines to the browser: more than a dashboard needs to show.
            silo.AddDashboard(o => o.HideTrace = true);
        }
    }

    public static IEndpointRouteBuilder MapNexusObservability(this IEndpointRouteBuilder endpoints, ObservabilityOptions options)
    {
        if (options.MetricsEndpoint)
        {
            var access = endpoints.ServiceProvider.GetRequiredService<MetricsAccess>();
            endpoints.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null,
                configureBranchedPipeline: branch => branch.Use(access.InvokeAsync), optionsName: null);
        }
        if (options.Dashboard)
        {
            endpoints.MapNexusDashboard();
        }
        return endpoints;
    }

    // Scrapes, probes and the dashboard's once-a-second polls would drown the traces people read.
    private static MetricStreamConfiguration? FrameworkCardinality(Instrument instrument) =>
        instrument.Meter.Name.StartsWith("Nexus.", StringComparison.Ordinal)
            ? null
            : new MetricStreamConfiguration { CardinalityLimit = FrameworkCardinalityLimit };

    private static bool IsPolledByMachines(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz")
        || path.StartsWithSegments(ObservabilityOptions.DashboardPath);

    private static void Configure(OtlpExporterOptions exporter, ObservabilityOptions options, string signalPath)
    {
        if (string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            // OTEL_EXPORTER_OTLP_* from configuration, as the SDK reads them (with the signal path appended).
            return;
        }
        exporter.Protocol = options.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        var endpoint = new Uri(options.OtlpEndpoint.TrimEnd('/') + "/");
        // Over HTTP each signal has its own path; set in code, the SDK does not append it (only for the variable).
        exporter.Endpoint = options.HttpProtobuf ? new Uri(endpoint, signalPath) : endpoint;
    }
}
