using System.Globalization;
using Nexus.Benchmarks.Reporting;

namespace Nexus.Benchmarks.Live;

/// <summary>
/// Issue 6's benchmark: SignalR clients spread over two real hosts (one Orleans cluster, one database) in 20
/// tenants, while the simulator flips guests at a steady rate and every server is polled every 5 s. Push: per
/// delivered VM change, receipt minus the event's publish time (<c>at</c>, set by the grain; same machine clock),
/// and events lost as holes in each client's per-tenant version sequence. Then, with the same churn, the
/// prototype's design: as many REST pollers reloading the tenant every 15 s, and how stale what they see is.
/// CPU of each host, of this process (all the clients) and of the simulator, per phase.
/// </summary>
internal sealed class LiveScenario(bool quick, TextWriter log)
{
    private const int ServerPollSeconds = 5;
    private static readonly TimeSpan PrototypePollPeriod = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private static readonly Size Full = new(Tenants: 20, ServersPerTenant: 5, GuestsPerServer: 100, Clients: 2000, ChangesPerSecond: 1000,
        Baseline: TimeSpan.FromSeconds(15), Warmup: TimeSpan.FromSeconds(10), PushWindow: TimeSpan.FromSeconds(45), Pollers: 2000, PollWindow: TimeSpan.FromSeconds(45));

    private static readonly Size Quick = new(Tenants: 20, ServersPerTenant: 1, GuestsPerServer: 50, Clients: 200, ChangesPerSecond: 200,
        Baseline: TimeSpan.FromSeconds(8), Warmup: TimeSpan.FromSeconds(6), PushWindow: TimeSpan.FromSeconds(15), Pollers: 200, PollWindow: TimeSpan.FromSeconds(15));

    public async Task<IReadOnlyList<Measurement>> RunAsync(CancellationToken cancellationToken)
    {
        var size = quick ? Quick : Full;
        var results = new List<Measurement>();
        var openFiles = OpenFileLimit();
        // Each client holds one socket here and one in a host; the hosts inherit this process's limit.
        if (openFiles is { } limit && limit < size.Clients + 1000)
        {
            log.WriteLine($"[live] warning: the open-file limit ({limit}) is below {size.Clients} clients + 1000: raise `ulimit -n`");
        }
        await using var deployment = await LiveDeployment.StartAsync(size.Tenants * size.ServersPerTenant, size.GuestsPerServer, log, cancellationToken);
        var tenants = await deployment.CreateTenantsAsync(size.Tenants, size.ServersPerTenant, ServerPollSeconds, cancellationToken);
        var guests = await deployment.WaitForInventoryAsync(tenants, size.ServersPerTenant * size.GuestsPerServer, cancellationToken);
        log.WriteLine($"[live] {tenants.Count} tenants, {tenants.Count * size.ServersPerTenant} servers polled every {ServerPollSeconds} s, {guests} VMs listed");

        var recorder = new PushRecorder();
        var clients = new List<PushClient>();
        var pushCase = $"{size.Clients} SignalR clients, 2 hosts, {size.Tenants} tenants, {size.ChangesPerSecond:0} VM changes/s ({deployment.Build})";
        var pollCase = $"prototype: {size.Pollers} REST pollers every {PrototypePollPeriod.TotalSeconds:0} s, same churn ({deployment.Build})";
        try
        {
            // One client per tenant stays for the whole run: its log of publish times is what staleness is measured against.
            var (connectFailures, _) = await ConnectAsync(deployment, tenants, 0, size.Tenants, recorder, clients, cancellationToken);
            await deployment.SetChurnAsync(size.ChangesPerSecond, cancellationToken);
            await Task.Delay(size.Warmup, cancellationToken);

            log.WriteLine($"[live] baseline: churn and server polling with {clients.Count} reference clients, {size.Baseline.TotalSeconds:0} s");
            var baselineCpu = await CpuWindow.StartAsync(deployment, cancellationToken);
            await Task.Delay(size.Baseline, cancellationToken);
            var baseline = await baselineCpu.StopAsync(cancellationToken);
            AddCpu(results, $"baseline: churn + {tenants.Count * size.ServersPerTenant} servers polled, {size.Tenants} clients ({deployment.Build})", baseline);

            log.WriteLine($"[live] connecting {size.Clients - size.Tenants} more clients");
            var (failures, connectSeconds) = await ConnectAsync(deployment, tenants, size.Tenants, size.Clients, recorder, clients, cancellationToken);
            connectFailures += failures;
            log.WriteLine($"[live] {clients.Count} clients connected in {connectSeconds:0.0} s ({connectFailures} failed); warm-up {size.Warmup.TotalSeconds:0} s, then {size.PushWindow.TotalSeconds:0} s measured");
            await Task.Delay(size.Warmup, cancellationToken);

            var changesBefore = await deployment.SimulatorChangesAsync(cancellationToken);
            var pushCpu = await CpuWindow.StartAsync(deployment, cancellationToken);
            var serverLag = await ServerLag.StartAsync(deployment, cancellationToken);
            recorder.OpenWindow();
            await Task.Delay(size.PushWindow, cancellationToken);
            recorder.CloseWindow();
            var lag = await serverLag.StopAsync(deployment, cancellationToken);
            var push = await pushCpu.StopAsync(cancellationToken);
            var simulatorChanges = await deployment.SimulatorChangesAsync(cancellationToken) - changesBefore;
            // Late deliveries of events published inside the window still count (with their latency).
            await Task.Delay(Grace, cancellationToken);
            results.AddRange(PushResults(pushCase, size, clients, recorder, connectFailures, connectSeconds, simulatorChanges));
            results.AddRange(LagResults(pushCase, lag));
            AddCpu(results, pushCase, push);

            var leaving = clients.Where(c => !c.IsReference).ToArray();
            clients.RemoveAll(c => !c.IsReference);
            await Parallel.ForEachAsync(leaving, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
                async (c, _) => await c.DisposeAsync());

            results.AddRange(await PrototypeAsync(pollCase, size, deployment, tenants, recorder, cancellationToken));
        }
        finally
        {
            try
            {
                await deployment.SetChurnAsync(0, CancellationToken.None);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
            {
            }
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (c, _) => await c.DisposeAsync());
        }
        if (openFiles is { } files)
        {
            results.Add(new("live-updates", "machine", "open-file limit (soft, this process and the hosts)", files, "files"));
        }
        return results;
    }

    /// <summary>Clients [from, to): client i joins tenant i mod T through host (i + i / T) mod 2, so each tenant's clients alternate hosts.</summary>
    private async Task<(int Failures, double Seconds)> ConnectAsync(
        LiveDeployment deployment, IReadOnlyList<Guid> tenants, int from, int to, PushRecorder recorder, List<PushClient> clients, CancellationToken cancellationToken)
    {
        var failures = 0;
        string? lastError = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var tenant = i % tenants.Count;
                var host = (i + (i / tenants.Count)) % deployment.HostUrls.Count;
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var client = await PushClient.ConnectAsync(deployment.HostUrls[host], host, deployment.AccessToken, tenant, tenants[tenant],
                            isReference: i < tenants.Count, recorder, ct);
                        lock (clients)
                        {
                            clients.Add(client);
                        }
                        return;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref failures);
                        lastError = e.GetType().Name + ": " + e.Message;
                        if (attempt == 3)
                        {
                            return;
                        }
                    }
                }
            });
        if (lastError is not null)
        {
            log.WriteLine($"[live] {failures} connect attempt(s) failed; last: {lastError}");
        }
        return (failures, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static IEnumerable<Measurement> PushResults(
        string label, Size size, List<PushClient> clients, PushRecorder recorder, int connectFailures, double connectSeconds, long simulatorChanges)
    {
        var window = size.PushWindow.TotalSeconds;
        // Versions are consecutive per tenant: every version between the first and last any client of the tenant
        // received (of those published in the window) should have reached every client of the tenant.
        long lost = 0;
        foreach (var tenant in clients.GroupBy(c => c.Tenant))
        {
            var seen = tenant.Where(c => c.InWindow > 0).ToArray();
            if (seen.Length == 0)
            {
                continue;
            }
            var expected = seen.Max(c => c.InWindowMax) - seen.Min(c => c.InWindowMin) + 1;
            lost += tenant.Sum(c => Math.Max(0, expected - c.InWindow));
        }
        var published = recorder.Reference
            .Where(r => r.Value.At >= recorder.WindowStart && r.Value.At < recorder.WindowEnd)
            .Sum(r => (long)r.Value.ChangedGuests);
        var p99 = recorder.VmChanges.Percentile(99);
        var hosts = clients.GroupBy(c => c.Host).OrderBy(g => g.Key).Select(g => g.Count().ToString(CultureInfo.InvariantCulture));
        return
        [
            new("live-updates", label, $"clients connected (per host: {string.Join(" / ", hosts)})", clients.Count, "clients", $"= {size.Clients}", clients.Count == size.Clients),
            new("live-updates", label, "failed connect attempts (3 tries each)", connectFailures, "count"),
            new("live-updates", label, "connect + join time", connectSeconds, "s"),
            new("live-updates", label, "guest changes made by the simulator", simulatorChanges / window, "changes/s"),
            new("live-updates", label, "VM changes published (vmStatesChanged)", published / window, "changes/s", $"≈ {size.ChangesPerSecond:0}", null),
            new("live-updates", label, "VM changes delivered (all clients)", recorder.VmChanges.Count / window, "changes/s"),
            new("live-updates", label, "events delivered (all clients, all types)", recorder.Events.Count / window, "events/s"),
            new("live-updates", label, "publish → receipt p50 (per VM change)", recorder.VmChanges.Percentile(50), "ms"),
            new("live-updates", label, "publish → receipt p99 (per VM change)", p99, "ms", "≤ 250 ms", p99 <= 250),
            new("live-updates", label, "publish → receipt p99.9 (per VM change)", recorder.VmChanges.Percentile(99.9), "ms"),
            new("live-updates", label, "publish → receipt max (per VM change)", recorder.VmChanges.MaxMs, "ms"),
            new("live-updates", label, "publish → receipt p99 (per event, any type)", recorder.Events.Percentile(99), "ms"),
            new("live-updates", label, "events lost (version holes, published in window)", lost, "events", "0", lost == 0),
            new("live-updates", label, "version holes over the whole run", clients.Sum(c => c.SequenceGaps), "events"),
            new("live-updates", label, "duplicate or out-of-order events", clients.Sum(c => c.Stale), "events"),
            new("live-updates", label, "connections closed by the server", clients.Count(c => c.Closed), "clients", "0", clients.All(c => !c.Closed)),
        ];
    }

    private static IEnumerable<Measurement> LagResults(string label, IReadOnlyDictionary<string, (double Count, double P50, double P99)?> lag)
    {
        foreach (var (stage, what) in new[] { ("received", "the silo's feed received it"), ("sent", "handed to SignalR") })
        {
            if (lag[stage] is not { } l)
            {
                yield return new("live-updates", label, $"hosts' own lag to \"{what}\": no samples (is /metrics reachable?)", 0, "events");
                continue;
            }
            yield return new("live-updates", label, $"hosts' own lag, publish → {what}: p50 (histogram estimate)", l.P50, "ms");
            yield return new("live-updates", label, $"hosts' own lag, publish → {what}: p99 (histogram estimate)", l.P99, "ms");
        }
    }

    private async Task<IEnumerable<Measurement>> PrototypeAsync(
        string label, Size size, LiveDeployment deployment, IReadOnlyList<Guid> tenants, PushRecorder recorder, CancellationToken cancellationToken)
    {
        log.WriteLine($"[live] prototype: {size.Pollers} pollers reload their tenant every {PrototypePollPeriod.TotalSeconds:0} s; "
            + $"{PrototypePollPeriod.TotalSeconds:0} s to spread the first polls, then {size.PollWindow.TotalSeconds:0} s measured");
        var http = deployment.HostUrls.Select((_, i) => deployment.Api(i, TimeSpan.FromSeconds(30))).ToArray();
        try
        {
            var pollers = new SnapshotPollers(http, tenants, PrototypePollPeriod);
            var windowStart = DateTimeOffset.UtcNow + PrototypePollPeriod;
            var windowEnd = windowStart + size.PollWindow;
            var running = pollers.RunAsync(size.Pollers, windowEnd, cancellationToken);
            await Task.Delay(windowStart - DateTimeOffset.UtcNow, cancellationToken);
            var cpu = await CpuWindow.StartAsync(deployment, cancellationToken);
            await Task.Delay(windowEnd - DateTimeOffset.UtcNow, cancellationToken);
            var used = await cpu.StopAsync(cancellationToken);
            await running;
            // The reference clients may receive the newest versions after a poll already showed them.
            await Task.Delay(Grace, cancellationToken);

            var staleness = new LatencyHistogram();
            long unresolved = 0;
            var observations = pollers.Observations(windowStart, windowEnd);
            foreach (var o in observations)
            {
                for (var v = o.From + 1; v <= o.To; v++)
                {
                    if (!recorder.Reference.TryGetValue((o.Tenant, v), out var e))
                    {
                        unresolved++;
                        continue;
                    }
                    staleness.Add((o.ReceivedAt - e.At).TotalMilliseconds, e.ChangedGuests);
                }
            }
            var requests = pollers.RequestMilliseconds;
            var period = PrototypePollPeriod.TotalMilliseconds;
            var results = new List<Measurement>
            {
                new("live-updates", label, "polls (GET /api/tenants/{id}/live, whole tenant)", requests.Count / (PrototypePollPeriod + size.PollWindow).TotalSeconds, "req/s"),
                new("live-updates", label, "poll request p50", Percentiles.Of(requests, 50), "ms"),
                new("live-updates", label, "poll request p99", Percentiles.Of(requests, 99), "ms"),
                new("live-updates", label, "failed polls", pollers.Failures, "count"),
                new("live-updates", label, "polls measured (with a previous poll)", observations.Count, "count"),
                new("live-updates", label, "publish → first seen p50 (per VM change, measured)", staleness.Percentile(50), "ms"),
                new("live-updates", label, "publish → first seen p99 (per VM change, measured)", staleness.Percentile(99), "ms"),
                new("live-updates", label, "publish → first seen max (per VM change, measured)", staleness.MaxMs, "ms"),
                new("live-updates", label, "analytical p50 (0.5 × period + request p50)", period * 0.5 + Percentiles.Of(requests, 50), "ms"),
                new("live-updates", label, "analytical p99 (0.99 × period + request p99)", period * 0.99 + Percentiles.Of(requests, 99), "ms"),
                new("live-updates", label, "versions a poll covered that no reference client logged", unresolved, "events"),
            };
            AddCpu(results, label, used);
            return results;
        }
        finally
        {
            foreach (var client in http)
            {
                client.Dispose();
            }
        }
    }

    private static void AddCpu(List<Measurement> results, string label, CpuShares cpu)
    {
        for (var i = 0; i < cpu.Hosts.Length; i++)
        {
            results.Add(new("live-updates", label, $"host {i + 1} CPU", cpu.Hosts[i], "% core"));
        }
        results.Add(new("live-updates", label, "PostgreSQL CPU (shared by both hosts)", cpu.Postgres, "% core"));
        results.Add(new("live-updates", label, "benchmark process CPU (the clients)", cpu.Benchmark, "% core"));
        results.Add(new("live-updates", label, "simulator CPU (churn, PVE API)", cpu.Simulator, "% core"));
    }

    /// <summary>The soft <c>RLIMIT_NOFILE</c> from /proc (null where there is none).</summary>
    private static long? OpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed record Size(int Tenants, int ServersPerTenant, int GuestsPerServer, int Clients, double ChangesPerSecond,
        TimeSpan Baseline, TimeSpan Warmup, TimeSpan PushWindow, int Pollers, TimeSpan PollWindow);
}
