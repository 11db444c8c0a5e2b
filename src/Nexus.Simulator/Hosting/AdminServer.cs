using System.Diagnostics;
using System.Net;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Faults;

namespace Nexus.Simulator.Hosting;

/// <summary>
/// The fault/admin endpoint (plain HTTP on 127.0.0.1, its own port) for runs where the simulator is a separate
/// process: list clusters, switch faults per cluster or listener, rotate certificates, change guests (one at a
/// time, or a steady churn), read CPU use.
/// </summary>
internal sealed class AdminServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GuestChurn _churn;

    private AdminServer(WebApplication app, GuestChurn churn, Uri url)
    {
        _app = app;
        _churn = churn;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<AdminServer> StartAsync(IReadOnlyList<SimulatedCluster> clusters, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        var app = builder.Build();
        var churn = new GuestChurn(clusters);
        Map(app, clusters, churn);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Urls.First();
        return new AdminServer(app, churn, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _churn.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void Map(IEndpointRouteBuilder app, IReadOnlyList<SimulatedCluster> clusters, GuestChurn churn)
    {
        SimulatedCluster? Find(string name) => clusters.FirstOrDefault(c => c.Name == name);

        app.MapGet("/clusters", () => clusters.Select(c => new
        {
            name = c.Name,
            version = c.Profile.PveVersion,
            primaryUrl = c.PrimaryUrl,
            secondaryUrl = c.SecondaryUrl,
            apiToken = c.ApiToken,
            rootPassword = c.RootPassword,
            tokens = c.Tokens.Select(t => new { id = t.FullTokenId, value = t.Value, privileges = t.Privileges.Order(StringComparer.Ordinal) }),
            nodes = c.Fingerprints.Select(f => new { name = f.Key, fingerprint = f.Value }),
            guests = c.Guests.Count,
        }));

        app.MapGet("/stats", () =>
        {
            using var process = Process.GetCurrentProcess();
            return new
            {
                cpuSeconds = process.TotalProcessorTime.TotalSeconds,
                uptimeSeconds = (DateTime.Now - process.StartTime).TotalSeconds,
                workingSetBytes = process.WorkingSet64,
                gcHeapBytes = GC.GetTotalMemory(false),
                threads = process.Threads.Count,
                clusters = clusters.Count,
            };
        });

        // listener = primary | secondary; absent = the cluster-wide switch.
        app.MapPut("/clusters/{name}/faults", (string name, string? listener, AdminFaults body) =>
            WithFaults(Find(name), listener, f => f.Set(body.ToSettings())));
        app.MapDelete("/clusters/{name}/faults", (string name, string? listener) =>
            WithFaults(Find(name), listener, f => f.Clear()));

        app.MapPost("/clusters/{name}/nodes/{node}/rotate-certificate", (string name, string node) =>
            Find(name) is { } c && c.NodeNames.Contains(node)
                ? Results.Ok(new { fingerprint = c.RotateCertificate(node) })
                : Results.NotFound());
        app.MapPost("/clusters/{name}/nodes/{node}/online/{online:bool}", (string name, string node, bool online) =>
            Act(Find(name), c => c.SetNodeOnline(node, online)));
        app.MapPost("/clusters/{name}/guests/{vmid:int}/status/{status}", (string name, int vmid, string status) =>
            Act(Find(name), c => c.SetGuestStatus(vmid, status)));
        app.MapPost("/clusters/{name}/guests/{vmid:int}/move/{node}", (string name, int vmid, string node) =>
            Act(Find(name), c => c.MoveGuest(vmid, node)));
        app.MapPost("/clusters/{name}/snapshot", (string name) => Act(Find(name), c => c.RefreshSnapshot()));

        app.MapGet("/churn", () => churn.State);
        app.MapPut("/churn", async (AdminChurn body) =>
        {
            if (body.ChangesPerSecond is < 0 or > 1_000_000 || double.IsNaN(body.ChangesPerSecond))
            {
                return Results.BadRequest(new { error = "changesPerSecond: 0 to 1000000" });
            }
            await churn.SetRateAsync(body.ChangesPerSecond).ConfigureAwait(false);
            return Results.Ok(churn.State);
        });
        app.MapDelete("/churn", async () =>
        {
            await churn.StopAsync().ConfigureAwait(false);
            return Results.Ok(churn.State);
        });
    }

    /// <summary>The churn rate as <c>PUT /churn</c> takes it.</summary>
    internal sealed record AdminChurn(double ChangesPerSecond);

    private static IResult WithFaults(SimulatedCluster? cluster, string? listener, Action<FaultControl> change)
    {
        if (cluster is null)
        {
            return Results.NotFound();
        }
        var control = listener switch
        {
            null or "" or "all" => cluster.Faults,
            "primary" => cluster.Primary.Faults,
            "secondary" => cluster.Secondary?.Faults,
            _ => null,
        };
        if (control is null)
        {
            return Results.NotFound();
        }
        change(control);
        return Results.Ok(control.Settings);
    }

    private static IResult Act(SimulatedCluster? cluster, Action<SimulatedCluster> action)
    {
        if (cluster is null)
        {
            return Results.NotFound();
        }
        try
        {
            action(cluster);
            return Results.NoContent();
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
        {
            return Results.BadRequest(new { error = e.Message });
        }
    }

    /// <summary>Fault switches as the admin endpoint takes them (milliseconds instead of TimeSpans).</summary>
    internal sealed record AdminFaults(
        LatencyKind LatencyKind = LatencyKind.None,
        double LatencyMs = 0,
        double LatencyStdDevMs = 0,
        double TailProbability = 0.05,
        double TailLatencyMs = 0,
        bool Hang = false,
        double ErrorRate = 0,
        int ErrorStatusCode = 500,
        bool Refuse = false,
        int SlowBytesPerSecond = 0)
    {
        public FaultSettings ToSettings() => new()
        {
            LatencyKind = LatencyKind,
            Latency = TimeSpan.FromMilliseconds(LatencyMs),
            LatencyStdDev = TimeSpan.FromMilliseconds(LatencyStdDevMs),
            TailProbability = TailProbability,
            TailLatency = TimeSpan.FromMilliseconds(TailLatencyMs),
            Hang = Hang,
            ErrorRate = ErrorRate,
            ErrorStatusCode = ErrorStatusCode,
            RefuseConnections = Refuse,
            SlowResponseBytesPerSecond = SlowBytesPerSecond,
        };
    }
}
