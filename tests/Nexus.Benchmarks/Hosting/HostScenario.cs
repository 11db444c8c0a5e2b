using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Nexus.Benchmarks.Reporting;

namespace Nexus.Benchmarks.Hosting;

/// <summary>
/// Issue 5 (a) and (b) against a real Nexus host process (embedded PostgreSQL, one silo) and a separate simulator
/// process with 200 clusters × 50 guests, all registered in one tenant and polled every 10 s (the default).
/// (a) host CPU while it only polls, minus the same host's CPU over the same window before any server was
/// registered; the simulator's CPU is in its own process and not counted; and bytes allocated per poll, from the
/// host's <c>/metrics</c> scraped around both windows;
/// (b) <c>GET /api/tenants/{id}/vms?pageSize=50</c> from 50 concurrent clients, with the host's and PostgreSQL's
/// CPU per request beside the latencies.
/// </summary>
internal sealed class HostScenario(bool quick, TextWriter log)
{
    private const int Clusters = 200;
    private const int GuestsPerCluster = 50;
    private const int Concurrency = 50;
    private const string AdminEmail = "bench@nexus.local";

    public async Task<IReadOnlyList<Measurement>> RunAsync(CancellationToken cancellationToken)
    {
        var cpuWindow = TimeSpan.FromSeconds(quick ? 20 : 60);
        var listingWindow = TimeSpan.FromSeconds(quick ? 5 : 20);
        var results = new List<Measurement>();
        var dataDirectory = Directory.CreateTempSubdirectory("nexus-bench-").FullName;
        // As root the host runs PostgreSQL as 'postgres', which must be able to enter the folder (created 0700).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        try
        {
            // The clusters live in their own process, so the host's CPU is the silo's alone.
            var simulatorDll = Path.Combine(AppContext.BaseDirectory, "Nexus.Simulator.dll");
            var adminPort = ChildProcess.FreePort();
            log.WriteLine($"[host] simulator process: {Clusters} clusters × {GuestsPerCluster} guests");
            await using var simulator = ChildProcess.Start(simulatorDll,
                ["--clusters", Clusters.ToString(CultureInfo.InvariantCulture), "--nodes", "3", "--vms", GuestsPerCluster.ToString(CultureInfo.InvariantCulture),
                 "--admin-port", adminPort.ToString(CultureInfo.InvariantCulture), "--quiet"]);
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/") };

            var hostDll = RepositoryPaths.BuiltAssembly("Nexus.Host");
            var build = hostDll.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var password = "Bench-" + Guid.NewGuid().ToString("N");
            var hostUrl = $"http://127.0.0.1:{ChildProcess.FreePort()}";
            log.WriteLine($"[host] starting {hostDll} (data in {dataDirectory})");
            await using var host = ChildProcess.Start(hostDll,
            [
                "--urls", hostUrl,
                $"--Nexus:DataDirectory={dataDirectory}",
                $"--Nexus:Silo:SiloPort={ChildProcess.FreePort()}",
                $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}", $"--Nexus:Auth:BootstrapAdminPassword={password}",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Orleans=Error",
            ]);
            using var http = new HttpClient { BaseAddress = new Uri(hostUrl), Timeout = TimeSpan.FromMinutes(2) };
            await host.WaitForOkAsync(http, "/readyz", cancellationToken);
            await simulator.WaitForOkAsync(admin, "stats", cancellationToken);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await LoginAsync(http, password, cancellationToken));
            var tenantId = await CreateTenantAsync(http, cancellationToken);

            // Start-up work (migrations, JIT, first membership rounds) settles before the idle baseline is taken.
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            log.WriteLine($"[host] idle baseline: host CPU for {cpuWindow.TotalSeconds} s with no server registered");
            var idleMetrics = await PrometheusScrape.TakeAsync(http, cancellationToken);
            var idleStarted = Stopwatch.GetTimestamp();
            var idleShare = await ProcessCpu.ShareOfOneCoreAsync(host.Process, cpuWindow, cancellationToken);
            var idle = new MetricsWindow(idleMetrics, await PrometheusScrape.TakeAsync(http, cancellationToken), Stopwatch.GetElapsedTime(idleStarted));

            var started = Stopwatch.GetTimestamp();
            await RegisterClustersAsync(http, admin, tenantId, cancellationToken);
            var registeredSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var total = await WaitForInventoryAsync(http, tenantId, cancellationToken);
            var readySeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            log.WriteLine($"[host] {Clusters} servers registered in {registeredSeconds:0} s; {total} VMs listed after {readySeconds:0} s; polling CPU for {cpuWindow.TotalSeconds} s");
            results.Add(new("inventory-polling", $"200 × 50, 10 s interval, {build} host", "register 200 servers (8 parallel API calls)", registeredSeconds, "s"));
            results.Add(new("inventory-polling", $"200 × 50, 10 s interval, {build} host", "registration start to full inventory", readySeconds, "s"));

            // One more poll round so first-poll work (activations, first snapshots) is not in the window.
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            var simulatorCpuBefore = await SimulatorCpuSecondsAsync(admin, cancellationToken);
            var pollingMetrics = await PrometheusScrape.TakeAsync(http, cancellationToken);
            var pollingStarted = Stopwatch.GetTimestamp();
            var pollingShare = await ProcessCpu.ShareOfOneCoreAsync(host.Process, cpuWindow, cancellationToken);
            var polling = new MetricsWindow(pollingMetrics, await PrometheusScrape.TakeAsync(http, cancellationToken), Stopwatch.GetElapsedTime(pollingStarted));
            var simulatorShare = 100 * (await SimulatorCpuSecondsAsync(admin, cancellationToken) - simulatorCpuBefore) / cpuWindow.TotalSeconds;
            var net = pollingShare - idleShare;
            results.Add(new("inventory-polling", $"idle {build} host (no servers)", "host CPU", idleShare, "% core"));
            results.Add(new("inventory-polling", $"200 × 50, 10 s interval, {build} host", "host CPU while polling", pollingShare, "% core"));
            results.Add(new("inventory-polling", $"200 × 50, 10 s interval, {build} host", "host CPU for polling (minus idle)", net, "% core", "≤ 15 % core", net <= 15));
            results.Add(new("inventory-polling", $"200 × 50, 10 s interval, {build} host", "simulator process CPU (not counted)", simulatorShare, "% core"));
            results.AddRange(AllocationsPerPoll(idle, polling, $"200 × 50, 10 s interval, {build} host"));

            log.WriteLine($"[host] listing: {Concurrency} concurrent clients for {listingWindow.TotalSeconds} s");
            results.AddRange(await ListingAsync(http, tenantId, listingWindow, total, $"Nexus host ({build} build, cached inventory)",
                host.Process, dataDirectory, cancellationToken));
        }
        finally
        {
            TryDelete(dataDirectory);
        }
        return results;
    }

    private static async Task RegisterClustersAsync(HttpClient http, HttpClient admin, Guid tenantId, CancellationToken cancellationToken)
    {
        var clusters = await admin.GetFromJsonAsync<JsonElement>("clusters", cancellationToken);
        await Parallel.ForEachAsync(clusters.EnumerateArray(), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (cluster, ct) => await SimulatedServers.RegisterAsync(http, tenantId, cluster, pollSeconds: null, ct));
    }

    private static async Task<Guid> CreateTenantAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/tenants",
            new { name = "Benchmark MSP", slug = "bench", description = "Nexus.Benchmarks" }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
        // The default quota is 50 servers per tenant; raising it is the operator's (global admin's) call.
        using var quota = await http.PutAsJsonAsync($"/api/tenants/{id}/settings", new { serverQuota = Clusters }, cancellationToken);
        if (!quota.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Raising the server quota answered {(int)quota.StatusCode}: {await quota.Content.ReadAsStringAsync(cancellationToken)}");
        }
        return id;
    }

    private static async Task<double> SimulatorCpuSecondsAsync(HttpClient admin, CancellationToken cancellationToken) =>
        (await admin.GetFromJsonAsync<JsonElement>("stats", cancellationToken)).GetProperty("cpuSeconds").GetDouble();

    private static async Task<IReadOnlyList<Measurement>> ListingAsync(HttpClient http, Guid tenantId, TimeSpan window, int total, string label,
        Process host, string dataDirectory, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var failures = 0;
        var path = $"/api/tenants/{tenantId}/vms?pageSize=50";
        using (var warm = await http.GetAsync(path, cancellationToken))
        {
            warm.EnsureSuccessStatusCode();
        }
        var hostCpuBefore = ProcessCpu.Of(host);
        var databaseCpuBefore = ProcessCpu.OfPostgres(dataDirectory);
        var deadline = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path, cancellationToken);
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                    continue;
                }
                lock (latencies)
                {
                    latencies.Add(elapsed);
                }
            }
        });
        await Task.WhenAll(workers);
        var hostCpu = ProcessCpu.Of(host) - hostCpuBefore;
        var databaseCpu = ProcessCpu.OfPostgres(dataDirectory) - databaseCpuBefore;
        var p99 = Percentiles.Of(latencies, 99);
        var served = Math.Max(1, latencies.Count + failures);
        // CPU per request does not depend on what else shares the cores, unlike the latencies: it is the figure to
        // compare between runs on a busy machine.
        List<Measurement> cost =
        [
            new("vm-listing", label, "host CPU per request", 1000 * hostCpu.TotalSeconds / served, "ms"),
            databaseCpu is { } db
                ? new("vm-listing", label, "PostgreSQL CPU per request", 1000 * db.TotalSeconds / served, "ms")
                : new("vm-listing", label, "PostgreSQL CPU per request", 0, "ms: not measured (no /proc or no embedded PostgreSQL found)"),
        ];
        return
        [
            .. cost,
            new("vm-listing", label, "guests", total, "VMs"),
            new("vm-listing", label, "requests", latencies.Count, "count"),
            new("vm-listing", label, "throughput", latencies.Count / window.TotalSeconds, "req/s"),
            new("vm-listing", label, "latency p50", Percentiles.Of(latencies, 50), "ms"),
            new("vm-listing", label, "latency p99", p99, "ms", "≤ 50 ms", p99 <= 50),
            new("vm-listing", label, "failed requests", failures, "count"),
        ];
    }

    /// <summary>Two scrapes of <c>/metrics</c> around a window of <paramref name="Elapsed"/>.</summary>
    private sealed record MetricsWindow(PrometheusScrape Start, PrometheusScrape End, TimeSpan Elapsed)
    {
        public string? Problem => Start.Problem ?? End.Problem;

        public double? Delta(params string[] names) => End.Sum(names) - Start.Sum(names);
    }

    private static readonly string[] AllocatedBytes =
        ["dotnet_gc_heap_total_allocated_bytes_total", "dotnet_gc_heap_total_allocated_bytes", "dotnet_gc_heap_total_allocated_total"];

    private static readonly string[] Polls = ["nexus_server_polls_total", "nexus_server_polls"];

    /// <summary>
    /// Bytes allocated per server poll: what the host allocated while polling, minus what it allocates idle over
    /// the same time (timers, membership, metrics themselves), over the polls counted in the window. From the host's
    /// own counters on <c>/metrics</c>; "not measured" with the reason when they are not there.
    /// </summary>
    private static IEnumerable<Measurement> AllocationsPerPoll(MetricsWindow idle, MetricsWindow polling, string label)
    {
        const string Metric = "allocated per poll (minus idle)";
        var problem = idle.Problem ?? polling.Problem;
        var idleBytes = idle.Delta(AllocatedBytes);
        var pollingBytes = polling.Delta(AllocatedBytes);
        var polls = polling.Delta(Polls);
        problem ??= idleBytes is null || pollingBytes is null ? $"/metrics has no {AllocatedBytes[0]}"
            : polls is null ? $"/metrics has no {Polls[0]}"
            : polls <= 0 ? "no poll was counted in the window" : null;
        if (problem is not null)
        {
            // 0 with the reason in the unit: the JSON report cannot hold NaN.
            return [new("inventory-polling", label, Metric, 0, $"KiB: not measured ({problem})")];
        }
        var idleScaled = idleBytes!.Value * polling.Elapsed.TotalSeconds / idle.Elapsed.TotalSeconds;
        var perPoll = (pollingBytes!.Value - idleScaled) / polls!.Value;
        return
        [
            new("inventory-polling", label, "polls in the window", polls.Value, "count"),
            new("inventory-polling", label, "allocated while polling", pollingBytes.Value / 1048576, "MiB"),
            new("inventory-polling", $"idle {label}", "allocated over the same time", idleScaled / 1048576, "MiB"),
            new("inventory-polling", label, Metric, perPoll / 1024, $"KiB ({GuestsPerCluster} guests)"),
        ];
    }

    private static async Task<string> LoginAsync(HttpClient http, string password, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { email = AdminEmail, password }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Until the listing's total stops growing (every server polled once) or 3 minutes pass.</summary>
    private static async Task<int> WaitForInventoryAsync(HttpClient http, Guid tenantId, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        var last = -1;
        var stable = 0;
        while (DateTime.UtcNow < deadline)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}/vms?pageSize=1", cancellationToken);
            var total = page.GetProperty("total").GetInt32();
            stable = total > 0 && total == last ? stable + 1 : 0;
            if (stable >= 3 && total >= Clusters * GuestsPerCluster * 9 / 10)
            {
                return total;
            }
            last = total;
            await Task.Delay(2000, cancellationToken);
        }
        return last;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
