using Nexus.Data.Access;
using Nexus.Data.Metrics;

namespace Nexus.Host.Stats;

/// <summary>
/// Deletes connection metrics older than <see cref="Keep"/>, hourly, through the worker role. Every silo runs it:
/// the delete is idempotent and cheap when there is nothing to do, so no leader is needed.
/// </summary>
internal sealed class MetricsRetention(INexusDatabase database, ConnectionMetricsStore metrics, TimeProvider time,
    ILogger<MetricsRetention> logger) : BackgroundService
{
    public static readonly TimeSpan Keep = TimeSpan.FromDays(30);
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);
    private static readonly TimeSpan FirstRunAfter = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(FirstRunAfter, time, stoppingToken);
            using var timer = new PeriodicTimer(Every, time);
            do
            {
                await RunOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes in batches until nothing old is left; returns how many rows went.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var total = 0;
        try
        {
            var cutoff = time.GetUtcNow() - Keep;
            int deleted;
            do
            {
                deleted = await database.AsSystemAsync(session => metrics.DeleteOlderThanAsync(session, cutoff), ct);
                total += deleted;
            }
            while (deleted > 0 && !ct.IsCancellationRequested);
            if (total > 0)
            {
                logger.LogInformation("Deleted {Count} connection metrics older than {Days} days", total, Keep.TotalDays);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Connection metrics retention failed; next try in an hour");
        }
        return total;
    }
}
