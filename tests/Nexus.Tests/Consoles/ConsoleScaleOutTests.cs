using System.Net;
using Nexus.Contracts.Consoles;
using Nexus.Tests.Support;

namespace Nexus.Tests.Consoles;

/// <summary>Three hosts on one database: where a session is opened, pumped and killed, and what a lost host does to it.</summary>
public sealed class ConsoleScaleOutTests : IAsyncLifetime
{
    private const uint KeyA = 0x61;
    private ConsoleWorld _world = null!;

    public async Task InitializeAsync() => _world = await ConsoleWorld.StartAsync(3);

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_session_is_pumped_where_its_socket_lands_outlives_its_grains_host_and_is_closed_as_relay_lost_with_its_pump_host()
    {
        var w = _world;
        var (host0, host1, host2) = (w.Hosts[0], w.Hosts[1], w.Hosts[2]);

        // Opened through host 0, socket on host 1: host 1 pumps it; a kill through host 2 reaches it.
        var first = await w.OpenConsoleAsync(w.Admin, w.FreshGuest());
        await using (var client = await w.ConnectAsync(first, host: 1))
        {
            await client.FramebufferAsync();
            var info = await host2.Grains.GetGrain<IConsoleSessionGrain>(first.SessionId).GetInfo();
            Assert.Equal(host1.Silo, info!.PumpSilo);
            Assert.Equal(host1.Silo, (await w.RecordAsync(first.SessionId))!["pump_silo"]);
            await w.Through(2, w.Admin).CallAsync(HttpMethod.Delete, $"/api/consoles/{first.SessionId}", expected: HttpStatusCode.NoContent);
            Assert.Equal(4030, (await client.WaitForCloseAsync()).Code);
        }
        Assert.Equal(4030, (await w.ClosedRecordAsync(first.SessionId))["close_code"]);

        // The grain lives on host 0 (it handled the open); host 0 dies; the console on host 1 keeps running, and the
        // grain, re-activated elsewhere by the next heartbeat, still reaches the pump for a kill through host 2.
        var guest = w.FreshGuest();
        var second = await w.OpenConsoleAsync(w.Admin, guest);
        await using (var client = await w.ConnectAsync(second, host: 1))
        {
            await client.FramebufferAsync();
            await host0.KillAsync();
            await Eventually.TrueAsync(() =>
            {
                try
                {
                    var info = host2.Grains.GetGrain<IConsoleSessionGrain>(second.SessionId).GetInfo().WaitAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult();
                    return info is { State: ConsoleSessionState.Active } && DateTimeOffset.UtcNow - info.LastHeartbeatAt < TimeSpan.FromSeconds(1);
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(40), "the session's grain answers again with fresh heartbeats");
            await Task.Delay(ConsoleWorld.HeartbeatTimeout + TimeSpan.FromSeconds(1));
            await client.TypeAsync(KeyA);
            await client.FramebufferAsync();
            Assert.Contains(w.InputLog(ConsoleCluster.Current, guest), e => e.Kind == "key");
            Assert.Null((await w.RecordAsync(second.SessionId))!["ended_at"]);

            await w.Through(2, w.Admin).CallAsync(HttpMethod.Delete, $"/api/consoles/{second.SessionId}", expected: HttpStatusCode.NoContent);
            Assert.Equal(4030, (await client.WaitForCloseAsync()).Code);
        }
        Assert.Equal(4030, (await w.ClosedRecordAsync(second.SessionId))["close_code"]);

        // Opened through host 2, pumped on host 1; host 1's silo vanishes: no heartbeat reaches the grain any more, and
        // it closes the record as "relay lost" within the heartbeat timeout.
        var third = await w.OpenConsoleAsync(w.Through(2, w.Admin), w.FreshGuest());
        await using (var client = await w.ConnectAsync(third, host: 1))
        {
            await client.FramebufferAsync();
            var lost = DateTime.UtcNow;
            await host1.CrashSiloAsync();
            var record = await w.ClosedRecordAsync(third.SessionId, seconds: 40);
            Assert.Equal(1011, record["close_code"]);
            Assert.Equal("relay lost", record["close_reason"]);
            // Within the heartbeat timeout when the grain survived; when it lived on the same silo, after membership
            // declares that silo dead (the sweeper then wakes the grain elsewhere) plus the heartbeat timeout.
            Assert.InRange((DateTime)record["ended_at"]! - lost, TimeSpan.Zero, ConsoleWorld.HeartbeatTimeout + TimeSpan.FromSeconds(20));
        }
    }
}
