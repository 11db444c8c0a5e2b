using System.Diagnostics;
using Nexus.Benchmarks.Hosting;
using Nexus.Benchmarks.Reporting;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Consoles;
using Nexus.Simulator.Hosting;

namespace Nexus.Benchmarks.Relay;

/// <summary>
/// Issue 7's relay benchmark, three paths side by side on loopback against one simulated cluster (in this process):
/// direct (viewer → simulator <c>vncwebsocket</c>, wss), Nexus (viewer → a real host process → simulator) and Debian's
/// websockify (viewer → websockify → the simulator's raw RFB port). Per path: one session's throughput of full-screen
/// Raw updates and the relay's CPU per GB; the round trip of a 1×1 update request alone and beside a bulk session on the
/// same path ("added" = path minus direct); then, for Nexus, host memory per idle session.
/// </summary>
internal sealed class RelayScenario(bool quick, TextWriter log)
{
    private const string Name = "relay";
    private const int MaxTenantConsoles = 1000; // the highest console limit a tenant setting takes
    private const int MaxPerNode = 95; // under Proxmox's (and Nexus's) 100 per node, leaving room for stragglers

    public async Task<IReadOnlyList<Measurement>> RunAsync(CancellationToken cancellationToken)
    {
        var nodes = quick ? 2 : 12;
        var idleSessions = quick ? 100 : 1000;
        var bulkWindow = TimeSpan.FromSeconds(quick ? 3 : 10);
        var samples = quick ? 300 : 2000;
        var rounds = quick ? 1 : 3;
        var results = new List<Measurement>();

        await using var simulator = await ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = 1, NodesPerCluster = nodes, GuestsPerCluster = nodes * 10, ContainerShare = 0, SecondaryAddress = null,
            AuthFailureDelay = TimeSpan.Zero, SnapshotInterval = TimeSpan.FromSeconds(5),
        }, cancellationToken);
        var cluster = simulator.Clusters[0];
        var guests = cluster.Guests.Where(g => g.Type == "qemu" && !g.Template).ToList();
        foreach (var guest in guests)
        {
            cluster.SetGuestStatus(guest.Vmid, "running");
        }
        cluster.RefreshSnapshot();
        guests = guests.Select(g => cluster.FindGuest(g.Vmid)!).ToList();
        var probe = guests[0];

        await using var host = await NexusHostProcess.StartAsync(
            [$"--Nexus:Consoles:MaxSessionsPerUser={MaxTenantConsoles}"], log, cancellationToken);
        var tenant = await host.CreateTenantAsync(MaxTenantConsoles, cancellationToken);
        var serverId = await host.RegisterAsync(tenant, cluster, cancellationToken);
        await host.WaitForGuestsAsync(tenant, guests.Count, cancellationToken);
        var nexusLabel = $"Nexus ({host.Build} host)";

        var config = new ProxmoxServerConfig(cluster.Name, new ProxmoxEndpoint(cluster.PrimaryUrl.Host, cluster.PrimaryUrl.Port), null,
            ProxmoxTrust.Pinned(cluster.Fingerprints.Values), ProxmoxApiToken.Parse(cluster.ApiToken));
        await using var proxmox = new ProxmoxConnection(config);
        var direct = new DirectPath(proxmox);
        var nexus = new NexusPath(host, serverId);

        WebsockifyProcess? websockify = null;
        if (WebsockifyProcess.IsInstalled)
        {
            websockify = await WebsockifyProcess.StartAsync(
                cluster.Consoles.RawEndpoint(new ConsoleGuest(probe.Node, probe.Type, probe.Vmid, probe.Name)), cancellationToken);
        }
        else
        {
            log.WriteLine($"[relay] {WebsockifyProcess.Binary} is missing: `{WebsockifyProcess.InstallHint}`; websockify is not measured.");
        }
        try
        {
            List<ConsolePath> paths = [direct, nexus];
            if (websockify is not null)
            {
                paths.Add(new WebsockifyPath(websockify));
            }

            // The host polls its server and runs grain timers: that CPU is not the relay's and is subtracted.
            var hostIdleCores = await IdleCoresAsync(nexus, TimeSpan.FromSeconds(5), cancellationToken);
            results.Add(new(Name, nexusLabel, "host CPU with no console (subtracted)", 100 * hostIdleCores, "% core"));

            // In rounds over the paths (like the latencies), so that a change in the machine's load hits every path alike.
            var bulk = paths.ToDictionary(p => p.Name, _ => new BulkTotals());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var path in paths)
                {
                    log.WriteLine($"[relay] {path.Name}: bulk for {bulkWindow.TotalSeconds} s (round {round + 1} of {rounds})");
                    await ThroughputAsync(path, probe, bulkWindow, bulk[path.Name], cancellationToken);
                }
            }
            var throughput = new Dictionary<string, double>();
            foreach (var path in paths)
            {
                var totals = bulk[path.Name];
                throughput[path.Name] = totals.Bytes / 1e6 / totals.Seconds;
                var label = path == nexus ? nexusLabel : path.Name;
                results.Add(new(Name, $"{label}, 1 session", "throughput (full-screen Raw updates)", throughput[path.Name], "MB/s"));
                if (totals.CpuSeconds is { } cpu)
                {
                    var idleShare = path == nexus ? hostIdleCores * totals.Seconds : 0;
                    results.Add(new(Name, $"{label}, relay process", "CPU per GB relayed", Math.Max(0, cpu - idleShare) / (totals.Bytes / 1e9), "s/GB"));
                }
            }
            var ofDirect = 100 * throughput[nexus.Name] / throughput[direct.Name];
            results.Add(new(Name, nexusLabel, "throughput vs direct", ofDirect, "%", "≥ 70 %", ofDirect >= 70));
            if (websockify is not null)
            {
                var times = throughput[nexus.Name] / throughput["websockify"];
                results.Add(new(Name, nexusLabel, "throughput vs websockify", times, "×", "≥ 3 ×", times >= 3));
            }
            else
            {
                results.Add(new(Name, $"websockify not measured ({WebsockifyProcess.InstallHint})", "throughput vs websockify", double.NaN, "×", "≥ 3 ×"));
            }

            results.AddRange(await LatenciesAsync(paths, direct, nexus, nexusLabel, probe, samples, rounds, cancellationToken));
            results.AddRange(await IdleMemoryAsync(host, nexus, tenant, guests, idleSessions, nexusLabel, cancellationToken));
            log.WriteLine($"[relay] platform floor: {idleSessions} idle TLS client connections in a process of their own");
            results.AddRange(await TlsFloor.MeasureAsync(Name, cluster.PrimaryUrl.Port, idleSessions, cancellationToken));
            log.WriteLine($"[relay] platform floor: {idleSessions} idle WebSockets accepted by Kestrel in a process of their own");
            results.AddRange(await KestrelFloor.MeasureAsync(Name, idleSessions, cancellationToken));
        }
        finally
        {
            if (websockify is not null)
            {
                await websockify.DisposeAsync();
            }
        }
        return results;
    }

    private static async Task<double> IdleCoresAsync(ConsolePath path, TimeSpan window, CancellationToken cancellationToken)
    {
        var before = path.RelayCpuSeconds()!.Value;
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(window, cancellationToken);
        return (path.RelayCpuSeconds()!.Value - before) / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>One session's bulk window after a 1 s warm-up, added to <paramref name="totals"/> with the relay's CPU over it.</summary>
    private static async Task ThroughputAsync(ConsolePath path, GuestInfo guest, TimeSpan window, BulkTotals totals, CancellationToken cancellationToken)
    {
        await using var client = await path.ConnectAsync(guest, cancellationToken);
        await client.BulkAsync(TimeSpan.FromSeconds(1), cancellationToken);
        var cpuBefore = path.RelayCpuSeconds();
        var (bytes, elapsed) = await client.BulkAsync(window, cancellationToken);
        var cpuAfter = path.RelayCpuSeconds();
        totals.Bytes += bytes;
        totals.Seconds += elapsed.TotalSeconds;
        if (cpuBefore is { } b && cpuAfter is { } a)
        {
            totals.CpuSeconds = (totals.CpuSeconds ?? 0) + a - b;
        }
    }

    private sealed class BulkTotals
    {
        public long Bytes { get; set; }

        public double Seconds { get; set; }

        /// <summary>The relaying process's CPU over the windows; null when nothing relays.</summary>
        public double? CpuSeconds { get; set; }
    }

    /// <summary>
    /// Round trips of a 1×1 non-incremental FramebufferUpdateRequest (10 bytes up, 20 down) on one session per path.
    /// Idle: the paths take turns, one round trip each, so a stall of the machine (a GC, a timer burst, another process)
    /// lands on all paths alike and the difference of their percentiles is the relay's own. Beside a bulk session: a
    /// second session of the same path pulls full-screen updates meanwhile, in rounds over the paths.
    /// </summary>
    private static async Task<IReadOnlyList<Measurement>> LatenciesAsync(List<ConsolePath> paths, ConsolePath direct, ConsolePath nexus,
        string nexusLabel, GuestInfo guest, int samples, int rounds, CancellationToken cancellationToken)
    {
        var idle = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var loaded = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var idleClients = new List<(ConsolePath Path, RfbBenchClient Client)>();
        try
        {
            foreach (var path in paths)
            {
                idleClients.Add((path, await path.ConnectAsync(guest, cancellationToken)));
            }
            for (var i = -50; i < samples * rounds; i++) // 50 turns of warm-up
            {
                foreach (var (path, client) in idleClients)
                {
                    var time = await client.RoundTripAsync(cancellationToken);
                    if (i >= 0)
                    {
                        idle[path.Name].Add(time);
                    }
                }
            }
        }
        finally
        {
            foreach (var (_, client) in idleClients)
            {
                await client.DisposeAsync();
            }
        }

        for (var round = 0; round < rounds; round++)
        {
            foreach (var path in paths)
            {
                await using var bulk = await path.ConnectAsync(guest, cancellationToken);
                await using var probe = await path.ConnectAsync(guest, cancellationToken);
                var stop = 0;
                var pulling = bulk.BulkAsync(() => Volatile.Read(ref stop) == 0, cancellationToken);
                await Task.Delay(500, cancellationToken);
                try
                {
                    await RoundTripsAsync(probe, 50, cancellationToken);
                    loaded[path.Name].AddRange(await RoundTripsAsync(probe, samples, cancellationToken));
                }
                finally
                {
                    Volatile.Write(ref stop, 1);
                    await pulling;
                }
            }
        }

        var results = new List<Measurement>();
        foreach (var path in paths)
        {
            var label = path == nexus ? nexusLabel : path.Name;
            results.Add(new(Name, $"{label}, idle", "1×1 update round trip p50", Percentiles.Of(idle[path.Name], 50), "ms"));
            results.Add(new(Name, $"{label}, idle", "1×1 update round trip p99", Percentiles.Of(idle[path.Name], 99), "ms"));
            results.Add(new(Name, $"{label}, beside a bulk session", "1×1 update round trip p50", Percentiles.Of(loaded[path.Name], 50), "ms"));
            results.Add(new(Name, $"{label}, beside a bulk session", "1×1 update round trip p99", Percentiles.Of(loaded[path.Name], 99), "ms"));
        }
        foreach (var path in paths.Where(p => p != direct))
        {
            var label = path == nexus ? nexusLabel : path.Name;
            foreach (var (condition, sample, directSample) in new[] { ("idle", idle[path.Name], idle[direct.Name]), ("beside a bulk session", loaded[path.Name], loaded[direct.Name]) })
            {
                var p50 = Percentiles.Of(sample, 50) - Percentiles.Of(directSample, 50);
                var p99 = Percentiles.Of(sample, 99) - Percentiles.Of(directSample, 99);
                results.Add(new(Name, $"{label} vs direct, {condition}", "added latency p50", p50, "ms"));
                results.Add(path == nexus && condition == "idle"
                    ? new(Name, $"{label} vs direct, {condition}", "added latency p99", p99, "ms", "≤ 1 ms", p99 <= 1)
                    : new(Name, $"{label} vs direct, {condition}", "added latency p99", p99, "ms"));
            }
        }
        return results;
    }

    private static async Task<List<double>> RoundTripsAsync(RfbBenchClient client, int count, CancellationToken cancellationToken)
    {
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            times.Add(await client.RoundTripAsync(cancellationToken));
        }
        return times;
    }

    /// <summary>
    /// What the host's GC kept committed after the last collection (its own <c>/metrics</c>): the part of the resident set
    /// that is the managed heap with its free space, so the rest of the RSS can be read as native memory and code.
    /// </summary>
    private static async Task<double> GcCommittedAsync(NexusHostProcess host, CancellationToken cancellationToken)
    {
        var scrape = await PrometheusScrape.TakeAsync(host.Api, cancellationToken);
        return scrape.Sum("dotnet_gc_last_collection_memory_committed_size_bytes") ?? double.NaN;
    }

    /// <summary>
    /// Host memory per idle console: resident set and managed heap after an induced full GC, with no console, with a
    /// tenth of <paramref name="count"/> open (first-use costs: JIT, pools, threads), and with all of them open (past the
    /// RFB handshake, then silent). The target is judged on the marginal resident cost of the last nine tenths.
    /// </summary>
    private async Task<IReadOnlyList<Measurement>> IdleMemoryAsync(NexusHostProcess host, ConsolePath nexus, Guid tenant,
        IReadOnlyList<GuestInfo> guests, int count, string nexusLabel, CancellationToken cancellationToken)
    {
        // The sessions of the earlier phases must have released their tenant and node leases.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (await host.OpenSessionsAsync(tenant, cancellationToken) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000, cancellationToken);
        }

        var byNode = guests.GroupBy(g => g.Node).Select(g => g.ToList()).ToList();
        var capacity = byNode.Count * MaxPerNode;
        if (count > capacity)
        {
            log.WriteLine($"[relay] only {capacity} consoles fit on {byNode.Count} nodes; measuring {capacity} instead of {count}");
            count = capacity;
        }
        var targets = Enumerable.Range(0, count).Select(i => byNode[i % byNode.Count][i / byNode.Count % byNode[i % byNode.Count].Count]).ToList();
        var warm = Math.Max(1, count / 10);

        log.WriteLine($"[relay] idle memory: no console, {warm}, then {count} Nexus consoles");
        var emptyHeap = await InducedGc.CollectAsync(host.ProcessId, cancellationToken);
        var emptyRss = ProcessTree.ResidentBytes(host.ProcessId);
        var emptyCommitted = await GcCommittedAsync(host, cancellationToken);
        var emptyThreads = ProcessTree.Threads(host.ProcessId);
        var batch = new ConsoleBatch(nexus);
        try
        {
            await batch.OpenAsync(targets.Take(warm), cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            var warmHeap = await InducedGc.CollectAsync(host.ProcessId, cancellationToken);
            var warmRss = ProcessTree.ResidentBytes(host.ProcessId);
            var warmCommitted = await GcCommittedAsync(host, cancellationToken);
            var warmThreads = ProcessTree.Threads(host.ProcessId);
            var warmOpen = batch.Open;

            await batch.OpenAsync(targets.Skip(warm), cancellationToken);
            log.WriteLine($"[relay] {batch.Open} consoles open ({batch.Failures} failed{(batch.FirstFailure is null ? "" : ": " + batch.FirstFailure)}); settling");
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            var fullHeap = await InducedGc.CollectAsync(host.ProcessId, cancellationToken);
            var fullRss = ProcessTree.ResidentBytes(host.ProcessId);
            var fullCommitted = await GcCommittedAsync(host, cancellationToken);
            var fullThreads = ProcessTree.Threads(host.ProcessId);

            var added = batch.Open - warmOpen;
            var marginalRss = added <= 0 ? double.NaN : (fullRss - warmRss) / 1024.0 / added;
            var marginalHeap = added <= 0 ? double.NaN : (fullHeap - warmHeap) / 1024.0 / added;
            var marginalCommitted = added <= 0 ? double.NaN : (fullCommitted - warmCommitted) / 1024.0 / added;
            var averageRss = batch.Open == 0 ? double.NaN : (fullRss - emptyRss) / 1024.0 / batch.Open;
            var label = batch.Open >= 1000
                ? $"{nexusLabel}, {batch.Open} idle consoles (first tenth {warmOpen})"
                : $"{nexusLabel}, {batch.Open} idle consoles (first tenth {warmOpen}; fewer than the target's 1,000)";
            return
            [
                new(Name, label, "host RSS per idle console (beyond the first tenth)", marginalRss, "KiB", "≤ 64 KiB", marginalRss <= 64),
                new(Name, label, "host managed heap per idle console (beyond the first tenth)", marginalHeap, "KiB"),
                new(Name, label, "host GC-committed memory per idle console (beyond the first tenth)", marginalCommitted, "KiB"),
                new(Name, label, "host RSS per idle console (all, with first-use costs)", averageRss, "KiB"),
                new(Name, label, "host RSS with no console", emptyRss / 1048576.0, "MiB"),
                new(Name, label, "host RSS with the first tenth open", warmRss / 1048576.0, "MiB"),
                new(Name, label, "host RSS with all open", fullRss / 1048576.0, "MiB"),
                new(Name, label, "host managed heap with no console", emptyHeap / 1048576.0, "MiB"),
                new(Name, label, "host managed heap with the first tenth open", warmHeap / 1048576.0, "MiB"),
                new(Name, label, "host managed heap with all open", fullHeap / 1048576.0, "MiB"),
                new(Name, label, "host GC-committed memory with no console", emptyCommitted / 1048576.0, "MiB"),
                new(Name, label, "host GC-committed memory with the first tenth open", warmCommitted / 1048576.0, "MiB"),
                new(Name, label, "host GC-committed memory with all open", fullCommitted / 1048576.0, "MiB"),
                new(Name, label, "host threads with no console", emptyThreads, "count"),
                new(Name, label, "host threads with the first tenth open", warmThreads, "count"),
                new(Name, label, "host threads with all open", fullThreads, "count"),
                new(Name, label, "open + connect + RFB handshake p50", Percentiles.Of(batch.OpenTimes, 50), "ms"),
                new(Name, label, "open + connect + RFB handshake p99", Percentiles.Of(batch.OpenTimes, 99), "ms"),
                new(Name, label, "consoles that failed to open", batch.Failures, "count"),
            ];
        }
        finally
        {
            await batch.DisposeAsync();
        }
    }
}
