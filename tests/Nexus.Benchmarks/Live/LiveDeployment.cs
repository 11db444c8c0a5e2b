using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Nexus.Benchmarks.Hosting;

namespace Nexus.Benchmarks.Live;

/// <summary>
/// Two real Nexus host processes forming one Orleans cluster on one database, and a simulator process. Host 1
/// runs the embedded PostgreSQL; host 2 is given host 1's database, like every silo after the first in a real
/// deployment. Both share the cluster id, the token signing key and the credential key, so a token issued by
/// one is accepted by the other and either may activate any server grain.
/// </summary>
internal sealed class LiveDeployment : IAsyncDisposable
{
    private const string AdminEmail = "bench@nexus.local";
    private const string DatabaseSetting = "Nexus__Database__ConnectionString";

    private readonly string _folder;
    private readonly List<ChildProcess> _processes = [];

    private LiveDeployment(string folder)
    {
        _folder = folder;
    }

    public ChildProcess Simulator { get; private set; } = null!;

    public HttpClient SimulatorAdmin { get; private set; } = null!;

    public IReadOnlyList<ChildProcess> Hosts => _processes.Where(p => p != Simulator).ToArray();

    public IReadOnlyList<Uri> HostUrls { get; private set; } = [];

    /// <summary>The bootstrap admin's access token (valid on both hosts, 15 minutes).</summary>
    public string AccessToken { get; private set; } = "";

    public string Build { get; private set; } = "";

    /// <summary>The embedded PostgreSQL's folder (host 1's); its server runs detached from the host process.</summary>
    public string PostgresDirectory => Path.Combine(_folder, "host1", "postgres");

    public static async Task<LiveDeployment> StartAsync(int clusters, int guestsPerCluster, TextWriter log, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("nexus-bench-live-").FullName;
        // As root the host runs PostgreSQL as 'postgres', which must be able to enter the folder (created 0700).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var deployment = new LiveDeployment(folder);
        try
        {
            await deployment.StartProcessesAsync(clusters, guestsPerCluster, log, cancellationToken);
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    private async Task StartProcessesAsync(int clusters, int guestsPerCluster, TextWriter log, CancellationToken cancellationToken)
    {
        var adminPort = ChildProcess.FreePort();
        // Snapshots every second (real PVE: 10 s) so a 5 s server poll sees the churn as it happens, not in 10 s bursts.
        Simulator = ChildProcess.Start(Path.Combine(AppContext.BaseDirectory, "Nexus.Simulator.dll"),
            ["--clusters", Invariant(clusters), "--nodes", "3", "--vms", Invariant(guestsPerCluster), "--snapshot-seconds", "1",
             "--admin-port", Invariant(adminPort), "--quiet"]);
        _processes.Add(Simulator);
        SimulatorAdmin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/") };

        var hostDll = RepositoryPaths.BuiltAssembly("Nexus.Host");
        Build = hostDll.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var password = "Bench-" + Guid.NewGuid().ToString("N");
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var credentialKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var databasePort = ChildProcess.FreePort();
        string[] Shared(int index, Uri url) =>
        [
            "--urls", url.ToString().TrimEnd('/'),
            $"--Nexus:DataDirectory={Path.Combine(_folder, $"host{index}")}",
            $"--Nexus:Silo:SiloPort={ChildProcess.FreePort()}",
            $"--Nexus:Silo:ClusterId={clusterId}",
            $"--Nexus:Auth:SigningKey={signingKey}",
            $"--Nexus:Credentials:Keys:k1={credentialKey}",
            "--Nexus:Credentials:ActiveKeyId=k1",
            $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}", $"--Nexus:Auth:BootstrapAdminPassword={password}",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Orleans=Error",
        ];

        var urls = new[] { new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}/"), new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}/") };
        HostUrls = urls;
        log.WriteLine($"[live] host 1 (embedded PostgreSQL) and a simulator with {clusters} clusters × {guestsPerCluster} guests ({Build} host build)");
        var host1 = ChildProcess.Start(hostDll, [.. Shared(1, urls[0]), $"--Nexus:Database:Port={databasePort}"]);
        _processes.Add(host1);
        using var http1 = new HttpClient { BaseAddress = urls[0] };
        await host1.WaitForOkAsync(http1, "/readyz", cancellationToken);

        // The second silo joins the first one's database; the connection string carries the password, so it goes
        // through the environment (inherited by the child) rather than the command line other users can read.
        var databasePassword = (await File.ReadAllTextAsync(Path.Combine(PostgresDirectory, "password"), cancellationToken)).Trim();
        // The embedded server's password is 48 letters and digits (Nexus.Data's DataFolder): nothing to quote.
        var connectionString = $"Host=127.0.0.1;Port={databasePort};Database=nexus;Username=nexus;Password={databasePassword}";
        log.WriteLine("[live] host 2 (host 1's database, same Orleans cluster)");
        ChildProcess host2;
        Environment.SetEnvironmentVariable(DatabaseSetting, connectionString);
        try
        {
            host2 = ChildProcess.Start(hostDll, Shared(2, urls[1]));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DatabaseSetting, null);
        }
        _processes.Add(host2);
        using var http2 = new HttpClient { BaseAddress = urls[1] };
        await host2.WaitForOkAsync(http2, "/readyz", cancellationToken);
        await Simulator.WaitForOkAsync(SimulatorAdmin, "stats", cancellationToken);

        using var login = await http1.PostAsJsonAsync("/api/auth/login", new { email = AdminEmail, password }, cancellationToken);
        login.EnsureSuccessStatusCode();
        AccessToken = (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
    }

    public HttpClient Api(int host, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = HostUrls[host], Timeout = timeout ?? TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        return http;
    }

    /// <summary>Creates the tenants and registers <paramref name="serversPerTenant"/> simulated clusters in each, polled every <paramref name="pollSeconds"/> s.</summary>
    public async Task<IReadOnlyList<Guid>> CreateTenantsAsync(int tenants, int serversPerTenant, int pollSeconds, CancellationToken cancellationToken)
    {
        using var http = Api(0);
        var ids = new List<Guid>();
        for (var t = 0; t < tenants; t++)
        {
            using var response = await http.PostAsJsonAsync("/api/tenants",
                new { name = $"Live bench {t + 1:00}", slug = $"live-bench-{t + 1:00}", description = "Nexus.Benchmarks live" }, cancellationToken);
            await EnsureAsync(response, "creating a tenant", cancellationToken);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid());
        }
        var clusters = (await SimulatorAdmin.GetFromJsonAsync<JsonElement>("clusters", cancellationToken)).EnumerateArray().ToArray();
        var work = clusters.Take(tenants * serversPerTenant).Select((c, i) => (Cluster: c, Tenant: ids[i / serversPerTenant]));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (item, ct) => await SimulatedServers.RegisterAsync(http, item.Tenant, item.Cluster, pollSeconds, ct));
        return ids;
    }

    /// <summary>Until every tenant lists at least 90 % of its guests, or 3 minutes pass; returns the guests listed.</summary>
    public async Task<int> WaitForInventoryAsync(IReadOnlyList<Guid> tenants, int guestsPerTenant, CancellationToken cancellationToken)
    {
        using var http = Api(0);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        var total = 0;
        while (DateTime.UtcNow < deadline)
        {
            var totals = await Task.WhenAll(tenants.Select(async t =>
                (await http.GetFromJsonAsync<JsonElement>($"/api/tenants/{t}/vms?pageSize=1", cancellationToken)).GetProperty("total").GetInt32()));
            total = totals.Sum();
            if (totals.All(n => n >= guestsPerTenant * 9 / 10))
            {
                return total;
            }
            await Task.Delay(1000, cancellationToken);
        }
        return total;
    }

    public async Task SetChurnAsync(double changesPerSecond, CancellationToken cancellationToken)
    {
        using var response = await SimulatorAdmin.PutAsJsonAsync("churn", new { changesPerSecond }, cancellationToken);
        await EnsureAsync(response, "setting the simulator's churn", cancellationToken);
    }

    public async Task<double> SimulatorCpuSecondsAsync(CancellationToken cancellationToken) =>
        (await SimulatorAdmin.GetFromJsonAsync<JsonElement>("stats", cancellationToken)).GetProperty("cpuSeconds").GetDouble();

    public async Task<long> SimulatorChangesAsync(CancellationToken cancellationToken) =>
        (await SimulatorAdmin.GetFromJsonAsync<JsonElement>("churn", cancellationToken)).GetProperty("changes").GetInt64();

    public async ValueTask DisposeAsync()
    {
        SimulatorAdmin?.Dispose();
        // Host 2 first: host 1 owns the database the other silo still writes to.
        foreach (var process in Enumerable.Reverse(_processes).ToArray())
        {
            await process.DisposeAsync();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
