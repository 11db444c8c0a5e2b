using System.Net.Http.Json;
using System.Text.Json;

namespace Nexus.Benchmarks.Hosting;

/// <summary>Registers a cluster of the simulator's admin <c>GET /clusters</c> list as a server, through the public API, pinned.</summary>
internal static class SimulatedServers
{
    /// <param name="pollSeconds">The server's poll interval; null keeps the API's default.</param>
    public static async Task RegisterAsync(HttpClient http, Guid tenantId, JsonElement cluster, int? pollSeconds, CancellationToken cancellationToken)
    {
        var primary = new Uri(cluster.GetProperty("primaryUrl").GetString()!);
        Uri? secondary = cluster.GetProperty("secondaryUrl").GetString() is { } s ? new Uri(s) : null;
        var body = new Dictionary<string, object?>
        {
            ["name"] = cluster.GetProperty("name").GetString(),
            ["host"] = primary.Host,
            ["port"] = primary.Port,
            ["apiToken"] = cluster.GetProperty("apiToken").GetString(),
            ["trust"] = new { mode = "pinned", fingerprints = cluster.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("fingerprint").GetString()).ToArray() },
            ["secondaryHost"] = secondary?.Host ?? "",
            ["secondaryPort"] = secondary?.Port,
            ["isActive"] = true,
        };
        if (pollSeconds is { } seconds)
        {
            body["pollIntervalSeconds"] = seconds;
        }
        using var response = await http.PostAsJsonAsync($"/api/tenants/{tenantId}/servers", body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Registering a server answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
