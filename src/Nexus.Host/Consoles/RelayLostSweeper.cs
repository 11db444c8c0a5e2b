using Dapper;
using Nexus.Contracts.Consoles;
using Nexus.Data.Access;
using Orleans.Runtime;

namespace Nexus.Host.Consoles;

/// <summary>
/// Closes the sessions of a pump silo that died together with their grains. A session's grain closes it as
/// "relay lost" when heartbeats stop — but when the grain lived on the pump's silo too, nothing calls it any more
/// and no timer runs. Every silo watches membership; for each silo declared dead it wakes the grains of that
/// silo's open sessions (a call re-activates a grain on a live silo, where it waits one heartbeat timeout and
/// closes). Several silos doing this at once is harmless: the calls are reads.
/// </summary>
internal sealed class RelayLostSweeper(
    IClusterMembershipService membership,
    INexusDatabase database,
    IGrainFactory grains,
    ILogger<RelayLostSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var handled = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var (silo, member) in snapshot.Members)
                {
                    if (member.Status == SiloStatus.Dead && handled.Add(silo))
                    {
                        await WakeSessionsPumpedByAsync(silo, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WakeSessionsPumpedByAsync(SiloAddress silo, CancellationToken ct)
    {
        try
        {
            var sessions = await database.AsSystemAsync(session => session.Connection.QueryAsync<Guid>(
                "SELECT id FROM nexus.console_sessions WHERE ended_at IS NULL AND pump_silo = @silo",
                new { silo = silo.ToParsableString() }, session.Transaction), ct);
            foreach (var id in sessions)
            {
                try
                {
                    await grains.GetGrain<IConsoleSessionGrain>(id).GetInfo().WaitAsync(TimeSpan.FromSeconds(10), ct);
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException)
                {
                    logger.LogWarning("Console {SessionId}: could not wake its grain after its pump silo {Silo} died ({Error})", id, silo, ex.GetType().Name);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not look up the console sessions of dead silo {Silo}", silo);
        }
    }
}
