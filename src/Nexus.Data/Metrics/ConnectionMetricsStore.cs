using Dapper;
using Nexus.Data.Access;
using Nexus.Data.Identity;

namespace Nexus.Data.Metrics;

/// <summary>What a measurement was taken of.</summary>
public enum MetricKind
{
    Poll,
    Probe,
    Action,
}

/// <summary>One connection attempt to record. <paramref name="Endpoint"/> is <c>primary</c> or <c>secondary</c>.</summary>
public sealed record ConnectionSample(
    Guid ServerId,
    Guid TenantId,
    DateTimeOffset At,
    MetricKind Kind,
    bool Success,
    double? LatencyMs,
    string Endpoint,
    string? Error);

/// <summary>One hour of a server's measurements (UTC hour start); an hour without rows is not returned.</summary>
public sealed record MetricsHour(DateTimeOffset Hour, int Attempts, int Successes, double? AverageLatencyMs);

/// <summary>
/// The connection metrics of servers (<c>nexus.connection_metrics</c>). Written by background work (worker role)
/// only; read by the tenant's members and global admins under the application role.
/// </summary>
public sealed class ConnectionMetricsStore
{
    public const int MaxErrorLength = 1000;

    public async Task RecordAsync(DbSession session, ConnectionSample sample)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(sample);
        await session.Connection.ExecuteAsync(
            """
            INSERT INTO nexus.connection_metrics (server_id, tenant_id, at, kind, success, latency_ms, endpoint, error)
            VALUES (@ServerId, @TenantId, @at, @kind, @Success, @LatencyMs, @Endpoint, @error)
            """,
            new
            {
                sample.ServerId,
                sample.TenantId,
                at = RefreshTokenStore.AsUtc(sample.At.UtcDateTime),
                kind = sample.Kind.ToString().ToLowerInvariant(),
                sample.Success,
                sample.LatencyMs,
                sample.Endpoint,
                error = sample.Error is { Length: > MaxErrorLength } e ? e[..MaxErrorLength] : sample.Error,
            },
            session.Transaction);
    }

    /// <summary>Hourly buckets of one server since <paramref name="since"/>, oldest first.</summary>
    public async Task<IReadOnlyList<MetricsHour>> HourlyAsync(DbSession session, Guid serverId, DateTimeOffset since)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<HourRow>(
            """
            SELECT date_trunc('hour', at, 'UTC') AS Hour, count(*)::int AS Attempts,
                   count(*) FILTER (WHERE success)::int AS Successes,
                   avg(latency_ms) FILTER (WHERE success) AS AverageLatencyMs
            FROM nexus.connection_metrics
            WHERE server_id = @serverId AND at >= @since
            GROUP BY 1 ORDER BY 1
            """,
            new { serverId, since = RefreshTokenStore.AsUtc(since.UtcDateTime) }, session.Transaction);
        return rows.Select(r => new MetricsHour(new DateTimeOffset(DateTime.SpecifyKind(r.Hour, DateTimeKind.Utc)), r.Attempts, r.Successes, r.AverageLatencyMs)).ToList();
    }

    /// <summary>Deletes rows older than <paramref name="cutoff"/>, at most <paramref name="batch"/> of them; returns how many.</summary>
    public Task<int> DeleteOlderThanAsync(DbSession session, DateTimeOffset cutoff, int batch = 10_000)
    {
        ArgumentNullException.ThrowIfNull(session);
        // Batched so a first run over a large backlog does not hold one huge transaction.
        return session.Connection.ExecuteAsync(
            """
            DELETE FROM nexus.connection_metrics
            WHERE id IN (SELECT id FROM nexus.connection_metrics WHERE at < @cutoff ORDER BY at LIMIT @batch)
            """,
            new { cutoff = RefreshTokenStore.AsUtc(cutoff.UtcDateTime), batch }, session.Transaction);
    }

    private sealed class HourRow
    {
        public DateTime Hour { get; init; }
        public int Attempts { get; init; }
        public int Successes { get; init; }
        public double? AverageLatencyMs { get; init; }
    }
}
