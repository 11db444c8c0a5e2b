using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Tenants;
using Nexus.Data.Access;
using Nexus.Data.Metrics;
using Nexus.Data.Servers;
using Nexus.Grains.Authorization;
using Nexus.Host.Tenants;
using Nexus.Host.Web;

namespace Nexus.Host.Stats;

/// <summary>One hour of a server's connection metrics (UTC); an hour without measurements has no rate.</summary>
internal sealed record MetricsHourDto(DateTimeOffset Time, double? SuccessRate, double? AvgLatencyMs, int Attempts);

internal sealed record MetricsSummaryDto(int Attempts, int Successes, double? SuccessRate, double? AvgLatencyMs);

internal sealed record ServerMetricsDto(Guid ServerId, string Range, IReadOnlyList<MetricsHourDto> Hours, MetricsSummaryDto Summary,
    IReadOnlyList<LearnedTimeout> Timeouts);

/// <summary>
/// Tenant live stats (F33), a server's live status and its connection metrics (F30's hourly history, plus the
/// learned timeouts). Members of the tenant and global admins; anyone else gets 404.
/// </summary>
internal static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/tenants/{id:guid}/stats", TenantStatsAsync).WithTags("Stats").RequireAuthorization();
        var server = endpoints.MapGroup("/api/servers/{serverId:guid}").WithTags("Stats").RequireAuthorization();
        server.MapGet("/status", StatusAsync);
        server.MapGet("/metrics", MetricsAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<TenantStats>, ProblemHttpResult>> TenantStatsAsync(
        Guid id, CurrentUser caller, INexusDatabase database, TenantGate gate, IGrainFactory grains, CancellationToken ct)
    {
        var (_, denied) = await database.AsUserAsync(caller.Id, session => gate.CheckAsync(session, caller, id, TenantAction.View), ct);
        if (denied is not null)
        {
            return denied;
        }
        return TypedResults.Ok(await grains.GetGrain<ITenantGrain>(id).GetStats());
    }

    private static async Task<Results<Ok<ServerStatus>, ProblemHttpResult>> StatusAsync(
        Guid serverId, CurrentUser caller, INexusDatabase database, ServerStore servers, TenantGate gate, IGrainFactory grains, CancellationToken ct)
    {
        if (await CheckServerAsync(serverId, caller, database, servers, gate, ct) is { } denied)
        {
            return denied;
        }
        return TypedResults.Ok(await grains.GetGrain<IProxmoxServerGrain>(serverId).GetStatus());
    }

    private static async Task<Results<Ok<ServerMetricsDto>, ProblemHttpResult>> MetricsAsync(
        Guid serverId, string? range, CurrentUser caller, INexusDatabase database, ServerStore servers, TenantGate gate,
        ConnectionMetricsStore metrics, IGrainFactory grains, TimeProvider time, CancellationToken ct)
    {
        range ??= "24h";
        TimeSpan? span = range switch
        {
            "24h" => TimeSpan.FromHours(24),
            "7d" => TimeSpan.FromDays(7),
            "30d" => TimeSpan.FromDays(30),
            _ => null,
        };
        if (span is null)
        {
            return Problems.BadRequest("The range must be one of 24h, 7d, 30d.");
        }
        if (await CheckServerAsync(serverId, caller, database, servers, gate, ct) is { } denied)
        {
            return denied;
        }
        var now = time.GetUtcNow();
        var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var start = end - span.Value + TimeSpan.FromHours(1);
        var hours = await database.AsUserAsync(caller.Id, session => metrics.HourlyAsync(session, serverId, start), ct);
        var byHour = hours.ToDictionary(h => h.Hour);
        var series = new List<MetricsHourDto>();
        for (var hour = start; hour <= end; hour = hour.AddHours(1))
        {
            series.Add(byHour.TryGetValue(hour, out var h)
                ? new MetricsHourDto(hour, Rate(h.Successes, h.Attempts), Round(h.AverageLatencyMs), h.Attempts)
                : new MetricsHourDto(hour, null, null, 0));
        }
        var attempts = hours.Sum(h => h.Attempts);
        var successes = hours.Sum(h => h.Successes);
        var latencyWeight = hours.Where(h => h.AverageLatencyMs is not null).Sum(h => h.Successes);
        var avgLatency = latencyWeight == 0 ? null : Round(hours.Where(h => h.AverageLatencyMs is not null).Sum(h => h.AverageLatencyMs!.Value * h.Successes) / latencyWeight);
        var timeouts = await grains.GetGrain<IProxmoxServerGrain>(serverId).GetLearnedTimeouts();
        return TypedResults.Ok(new ServerMetricsDto(serverId, range, series, new MetricsSummaryDto(attempts, successes, Rate(successes, attempts), avgLatency), timeouts));
    }

    // The server as the caller sees it under row-level security, then the policy for its tenant.
    private static async Task<ProblemHttpResult?> CheckServerAsync(
        Guid serverId, CurrentUser caller, INexusDatabase database, ServerStore servers, TenantGate gate, CancellationToken ct) =>
        await database.AsUserAsync(caller.Id, async session =>
        {
            var server = await servers.FindAsync(session, serverId);
            if (server is null)
            {
                return Problems.NotFound("The server");
            }
            var (_, denied) = await gate.CheckAsync(session, caller, server.TenantId, TenantAction.View);
            return denied is null ? null : Problems.NotFound("The server");
        }, ct);

    private static double? Rate(int successes, int attempts) => attempts == 0 ? null : Math.Round(100.0 * successes / attempts, 1);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}
