using System.Diagnostics;
using System.Net;
using Nexus.Tests.Support;
using Xunit.Abstractions;

namespace Nexus.Tests.Deploy;

/// <summary>
/// A rolling restart as deploy/README.md describes it, through the checked-in nginx configuration. Each of the three
/// silos in turn gets SIGTERM, is waited for, is started again with the same arguments and ports, and is waited for
/// until <c>/readyz</c> says 200. All the while, what users have open keeps working.
/// </summary>
[Collection(NginxCollection.Name)]
public sealed class RollingRestartTests(NginxFront front, ITestOutputHelper output) : IClassFixture<NginxFront>
{
    private static readonly TimeSpan LongestConsolePause = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Silos_restarted_one_at_a_time_behind_nginx_keep_dashboards_in_sync_consoles_streaming_and_rest_calls_answered()
    {
        var lab = await front.ConsolesAsync();
        var token = lab.Admin.AccessToken!;
        using var restHttp = front.Client(HttpVersion.Version20);
        var rest = new RetryingApiClient(restHttp, token);
        using var snapshotHttp = front.Client(HttpVersion.Version20);
        var snapshots = new RetryingApiClient(snapshotHttp, token);
        var clock = Stopwatch.StartNew();

        // Dashboards first, held open together: least_conn puts one on each silo.
        var dashboards = new List<DashboardClient>();
        var viewers = new List<ConsoleViewer>();
        using var stopLoad = new CancellationTokenSource();
        var restLoad = Task.CompletedTask;
        // Proxmox keeps changing, so the tenant has a live event every poll (5 s).
        var changes = lab.ChangeStateUntilAsync(stopLoad.Token);
        try
        {
            for (var i = 0; i < NginxFront.SiloCount; i++)
            {
                dashboards.Add(await DashboardClient.StartAsync($"dashboard {i + 1}", front, snapshots, token, lab.Tenant));
            }
            var started = DateTime.UtcNow.AddMinutes(-1);
            foreach (var dashboard in dashboards)
            {
                await WaitAsync(() => dashboard.ResyncedSince(started), TimeSpan.FromSeconds(20), $"{dashboard.Name} applies an event after its snapshot", dashboard.Describe);
            }

            // One console pumped by each silo (least_conn again; a few more if the spread came out uneven).
            for (var i = 0; viewers.Select(v => v.Current.PumpSilo).Distinct().Count() < NginxFront.SiloCount; i++)
            {
                Assert.True(i < 6, $"six consoles did not cover the three silos: {string.Join("; ", viewers.Select(v => v.Describe()))}");
                viewers.Add(await ConsoleViewer.OpenAsync($"console {i + 1}", front, lab));
            }
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {dashboards.Count} dashboards in sync, consoles on silos {string.Join(", ", viewers.Select(v => v.Current.PumpSilo + 1))}");

            // REST calls all the time, as open pages make them. The server's status is read from its grain, which is
            // also what resumes the server's polling at once after the silo that held the grain left (a grain's timer
            // does not move with it; without a read, its reminder re-arms it within five minutes).
            restLoad = Task.Run(async () =>
            {
                while (!stopLoad.IsCancellationRequested)
                {
                    await Task.WhenAll(Call("/api/me"), Call("/api/tenants"), Call($"/api/servers/{lab.Server}/status"));
                    await Task.Delay(100);
                }
            });

            var windows = new List<(DateTime From, DateTime To)>();
            for (var silo = 0; silo < NginxFront.SiloCount; silo++)
            {
                // Reopened consoles crowd onto the silos that stayed up: open another where there is none any more.
                for (var i = 0; !viewers.Any(v => v.Current.PumpSilo == silo) || viewers.All(v => v.Current.PumpSilo == silo); i++)
                {
                    Assert.True(i < 4, $"four more consoles did not land where needed: {string.Join("; ", viewers.Select(v => v.Describe()))}");
                    viewers.Add(await ConsoleViewer.OpenAsync($"console {viewers.Count + 1}", front, lab));
                }
                var onThisSilo = viewers.Where(v => v.Current.PumpSilo == silo).ToList();
                var elsewhere = viewers.Except(onThisSilo).ToList();
                var disconnectsBefore = dashboards.ToDictionary(d => d, d => d.Disconnects.Count);
                Assert.NotEmpty(onThisSilo);
                Assert.NotEmpty(elsewhere);

                var from = DateTime.UtcNow;
                var (exitCode, reportedNotReady) = await front.StopSiloAsync(silo);
                var stopped = DateTime.UtcNow;
                Assert.True(exitCode == 0, $"silo {silo + 1} exited with {exitCode}:\n{front.OutputOf(silo)}");
                Assert.True(reportedNotReady, $"silo {silo + 1}'s /readyz never answered 503 while it drained");
                await front.StartSiloAgainAsync(silo);
                var to = DateTime.UtcNow;
                windows.Add((from, to));

                // Its consoles were closed with 1012 and reopened at once, on a silo that stayed up, and stream again.
                foreach (var viewer in onThisSilo)
                {
                    await WaitAsync(() => viewer.Errors.Count > 0 || viewer.Sessions.Any(s => s.StreamingAt > from),
                        TimeSpan.FromSeconds(20), $"{viewer.Name} reopens its console after silo {silo + 1} drained it", viewer.Describe);
                    Assert.True(viewer.Errors.Count == 0, viewer.Describe());
                    var close = Assert.Single(viewer.Closes, c => c.At >= from);
                    Assert.Equal(1012, close.Code);
                    Assert.Equal(silo, close.PumpSilo);
                    var reopened = viewer.Sessions.First(s => s.StreamingAt > from);
                    Assert.NotEqual(silo, reopened.PumpSilo);
                    Assert.True(reopened.ReconnectedAfter < TimeSpan.FromSeconds(10), $"{viewer.Name} took {reopened.ReconnectedAfter} to stream again");
                    output.WriteLine($"  {viewer.Name}: 1012 at +{(close.At - from).TotalSeconds:0.00} s, streaming again from silo {reopened.PumpSilo + 1} after {reopened.ReconnectedAfter!.Value.TotalMilliseconds:0} ms");
                }

                // Consoles pumped elsewhere never stopped: frames kept coming through the whole drain, stop and start.
                foreach (var viewer in elsewhere)
                {
                    Assert.True(viewer.Errors.Count == 0, viewer.Describe());
                    Assert.DoesNotContain(viewer.Closes, c => c.At >= from);
                    var pause = viewer.LongestPauseBetween(from, to);
                    Assert.True(pause <= LongestConsolePause, $"{viewer.Name} (silo {viewer.Current.PumpSilo + 1}) paused {pause.TotalSeconds:0.0} s while silo {silo + 1} restarted");
                    output.WriteLine($"  {viewer.Name} on silo {viewer.Current.PumpSilo + 1}: {viewer.FramesBetween(from, to)} frames meanwhile, longest pause {pause.TotalMilliseconds:0} ms");
                }

                // The dashboard on this silo lost its socket, reconnected through nginx, loaded the snapshot and went on
                // with the versions after it; the others stayed in sync without reconnecting.
                var moved = dashboards.Where(d => d.Disconnects.Count > disconnectsBefore[d]).ToList();
                Assert.True(moved.Count > 0, $"no dashboard was connected to silo {silo + 1}: {string.Join("; ", dashboards.Select(d => d.Describe()))}");
                foreach (var dashboard in moved)
                {
                    await WaitAsync(() => dashboard.Reconnects.Count == dashboard.Disconnects.Count && dashboard.ResyncedSince(dashboard.Reconnects[^1]),
                        TimeSpan.FromSeconds(20), $"{dashboard.Name} reconnects and resyncs after silo {silo + 1} restarted",
                        () => string.Join("; ", dashboards.Select(d => d.Describe())));

                    var resync = dashboard.Resyncs.First(r => r.At >= dashboard.Reconnects[^1]);
                    output.WriteLine($"  {dashboard.Name}: disconnected at +{(dashboard.Disconnects[^1] - from).TotalSeconds:0.00} s, reconnected after "
                        + $"{(dashboard.Reconnects[^1] - dashboard.Disconnects[^1]).TotalMilliseconds:0} ms, snapshot version {resync.SnapshotVersion}, then event {resync.FirstContinuingVersion}");
                }
                output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: silo {silo + 1} stopped in {(stopped - from).TotalSeconds:0.0} s, ready again after {(to - from).TotalSeconds:0.0} s");
            }

            // Afterwards every dashboard still follows the tenant.
            foreach (var dashboard in dashboards)
            {
                await WaitAsync(() => dashboard.LiveSince(windows[^1].To), TimeSpan.FromSeconds(20), $"{dashboard.Name} applies events after the last restart", dashboard.Describe);
                Assert.True(dashboard.Errors.Count == 0 || dashboard.Errors.All(e => e.StartsWith("attach", StringComparison.Ordinal)), dashboard.Describe());
            }
            await stopLoad.CancelAsync();
            await restLoad;

            // Every REST call succeeded; the ones that needed another attempt failed only while a silo was down.
            var calls = rest.Calls;
            var retried = calls.Where(c => c.Failures.Count > 0).ToList();
            output.WriteLine($"{calls.Count} REST calls, {retried.Count} needed a retry, {calls.Sum(c => c.Failures.Count)} failed attempts in all");
            foreach (var call in retried)
            {
                output.WriteLine($"  {call.Method} {call.Path} at {call.StartedAt:HH:mm:ss.fff}: {string.Join(", ", call.Failures.Select(f => f.What))} → {call.FinalStatus}");
            }
            Assert.True(calls.Count > 100, $"only {calls.Count} REST calls were made");
            Assert.All(calls, call => Assert.True(call.Succeeded, $"{call.Method} {call.Path} failed: {string.Join(", ", call.Failures.Select(f => f.What))}"));
            Assert.All(retried.SelectMany(c => c.Failures), failure =>
                Assert.True(windows.Any(w => failure.At >= w.From && failure.At <= w.To.AddSeconds(5)), $"an attempt failed ({failure.What}) at {failure.At:HH:mm:ss.fff}, outside any restart"));
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"the rolling restart took {clock.Elapsed}");
        }
        catch
        {
            for (var i = 0; i < NginxFront.SiloCount; i++)
            {
                output.WriteLine($"--- silo {i + 1}, warnings and errors ---");
                var lines = front.OutputOf(i).Split('\n');
                for (var l = 0; l < lines.Length; l++)
                {
                    if (lines[l].StartsWith("warn:", StringComparison.Ordinal) || lines[l].StartsWith("fail:", StringComparison.Ordinal) || lines[l].StartsWith("crit:", StringComparison.Ordinal))
                    {
                        output.WriteLine(string.Join('\n', lines.Skip(l).Take(3)));
                    }
                }
            }
            throw;
        }
        finally
        {
            await stopLoad.CancelAsync();
            await restLoad;
            await changes;
            foreach (var viewer in viewers)
            {
                await viewer.DisposeAsync();
            }
            foreach (var dashboard in dashboards)
            {
                await dashboard.DisposeAsync();
            }
        }

        static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string> state)
        {
            try
            {
                await Eventually.TrueAsync(condition, timeout, what);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{ex.Message} {state()}", ex);
            }
        }

        async Task Call(string path)
        {
            try
            {
                using var response = await rest.SendAsync(HttpMethod.Get, path);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Recorded as a failed call.
            }
        }
    }
}
