using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Nexus.Benchmarks.Hosting;
using Nexus.Simulator.Clusters;

namespace Nexus.Benchmarks.Relay;

/// <summary>
/// The newest build of <c>Nexus.Host</c> as a child process with its own data folder (embedded PostgreSQL) and a
/// bootstrap admin, driven through its public API like an operator: a tenant with a raised console limit and one
/// server registered with pinned certificates.
/// </summary>
internal sealed class NexusHostProcess : IAsyncDisposable
{
    private const string AdminEmail = "relay-bench@nexus.local";

    private readonly ChildProcess _process;
    private readonly string _dataDirectory;

    private NexusHostProcess(ChildProcess process, string dataDirectory, Uri url, HttpClient api, string build)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        Url = url;
        Api = api;
        Build = build;
    }

    public Uri Url { get; }

    /// <summary>Signed in as the bootstrap admin (a global admin).</summary>
    public HttpClient Api { get; }

    /// <summary>Debug or Release.</summary>
    public string Build { get; }

    public int ProcessId => _process.Process.Id;

    /// <summary>The page origin a browser on this host would send (the console socket checks it).</summary>
    public string Origin => Url.GetLeftPart(UriPartial.Authority);

    public static async Task<NexusHostProcess> StartAsync(IEnumerable<string> extraArguments, TextWriter log, CancellationToken cancellationToken)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("nexus-relay-bench-").FullName;
        // As root the host runs PostgreSQL as 'postgres', which must be able to enter the folder (created 0700).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var hostDll = RepositoryPaths.BuiltAssembly("Nexus.Host");
        var build = hostDll.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var password = "Bench-" + Guid.NewGuid().ToString("N");
        var url = new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}");
        log.WriteLine($"[relay] starting {hostDll} (data in {dataDirectory})");
        var process = ChildProcess.Start(hostDll,
        [
            "--urls", url.GetLeftPart(UriPartial.Authority),
            $"--Nexus:DataDirectory={dataDirectory}",
            $"--Nexus:Silo:SiloPort={ChildProcess.FreePort()}",
            $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}", $"--Nexus:Auth:BootstrapAdminPassword={password}",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Orleans=Error",
            .. extraArguments,
        ]);
        var api = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            await process.WaitForOkAsync(api, "/readyz", cancellationToken);
            using var login = await api.PostAsJsonAsync("/api/auth/login", new { email = AdminEmail, password }, cancellationToken);
            await EnsureAsync(login, "Signing in", cancellationToken);
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString();
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return new NexusHostProcess(process, dataDirectory, url, api, build);
        }
        catch
        {
            api.Dispose();
            await process.DisposeAsync();
            TryDelete(dataDirectory);
            throw;
        }
    }

    /// <summary>A tenant whose console limit (a tenant setting; default 20) is <paramref name="consoleLimit"/>.</summary>
    public async Task<Guid> CreateTenantAsync(int consoleLimit, CancellationToken cancellationToken)
    {
        using var response = await Api.PostAsJsonAsync("/api/tenants",
            new { name = "Relay benchmark", slug = "relay-bench", description = "Nexus.Benchmarks relay" }, cancellationToken);
        await EnsureAsync(response, "Creating the tenant", cancellationToken);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
        using var settings = await Api.PutAsJsonAsync($"/api/tenants/{id}/settings", new { consoleMaxSessionsPerTenant = consoleLimit }, cancellationToken);
        await EnsureAsync(settings, "Raising the tenant's console limit", cancellationToken);
        return id;
    }

    /// <summary>Registers the simulated cluster (pinned to its nodes' certificates, default poll interval); returns the server id.</summary>
    public async Task<Guid> RegisterAsync(Guid tenantId, SimulatedCluster cluster, CancellationToken cancellationToken)
    {
        var body = new
        {
            name = cluster.Name,
            host = cluster.PrimaryUrl.Host,
            port = cluster.PrimaryUrl.Port,
            apiToken = cluster.ApiToken,
            trust = new { mode = "pinned", fingerprints = cluster.Fingerprints.Values.ToArray() },
            secondaryHost = "",
            secondaryPort = (int?)null,
            isActive = true,
        };
        using var response = await Api.PostAsJsonAsync($"/api/tenants/{tenantId}/servers", body, cancellationToken);
        await EnsureAsync(response, "Registering the server", cancellationToken);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
    }

    /// <summary>Until the tenant's VM listing shows <paramref name="expected"/> guests (the server was polled once).</summary>
    public async Task WaitForGuestsAsync(Guid tenantId, int expected, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var page = await Api.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}/vms?pageSize=1", cancellationToken);
            if (page.GetProperty("total").GetInt32() >= expected)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The host lists {page.GetProperty("total").GetInt32()} of {expected} guests after 3 minutes.");
            }
            await Task.Delay(1000, cancellationToken);
        }
    }

    /// <summary>The tenant's open console sessions (pending or active).</summary>
    public async Task<int> OpenSessionsAsync(Guid tenantId, CancellationToken cancellationToken) =>
        (await Api.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}/consoles", cancellationToken)).GetArrayLength();

    public string Tail() => _process.Tail();

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _process.DisposeAsync();
        TryDelete(_dataDirectory);
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
