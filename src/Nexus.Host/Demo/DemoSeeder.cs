using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Identity;
using Nexus.Host.Identity;
using Nexus.Simulator.Hosting;

namespace Nexus.Host.Demo;

/// <summary>
/// Once the web server listens, makes the demo estate exist through the public API — the same calls an
/// operator would make — so it is idempotent: on later runs it finds the tenant and users and re-registers
/// the simulated clusters, whose ports and certificates are new on every start.
/// </summary>
internal sealed class DemoSeeder(
    IHostApplicationLifetime lifetime,
    IServer server,
    ProxmoxSimulator simulator,
    DemoCredentials credentials,
    INexusDatabase database,
    UserStore users,
    ILogger<DemoSeeder> logger) : IHostedService
{
    private const string TenantSlug = "demo";
    private static readonly (string Email, TenantRole Role, string Name)[] Members =
    [
        ("tenant-admin@demo.nexus", TenantRole.Admin, "Demo Tenant Admin"),
        ("manager@demo.nexus", TenantRole.Manager, "Demo Manager"),
        ("viewer@demo.nexus", TenantRole.Viewer, "Demo Viewer"),
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = SeedAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(CancellationToken ct)
    {
        try
        {
            var baseAddress = LocalAddress();
            using var http = new HttpClient { BaseAddress = baseAddress };
            await EnsureDemoAdminAsync(ct);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await LoginAsync(http, ct));

            var tenantId = await EnsureTenantAsync(http, ct);
            foreach (var (email, role, name) in Members)
            {
                var userId = await EnsureUserAsync(http, email, name, ct);
                await Send(http, HttpMethod.Put, $"/api/tenants/{tenantId}/members/{userId}", new { role }, ct);
            }
            var registered = await RegisterClustersAsync(http, tenantId, ct);
            Print(baseAddress, registered);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "The demo estate could not be set up");
        }
    }

    // An existing database may already have another first admin; the demo admin is then added beside it.
    private async Task EnsureDemoAdminAsync(CancellationToken ct) =>
        await database.AsSystemAsync(async session =>
        {
            if (await users.FindByEmailAsync(session, credentials.AdminEmail) is null)
            {
                await users.CreateAsync(session, new NewUser(credentials.AdminEmail, PasswordRules.Hash(credentials.Password), "Demo Administrator", null, null, GlobalRole.Admin));
            }
            return true;
        }, ct);

    private async Task<string> LoginAsync(HttpClient http, CancellationToken ct)
    {
        var login = await Send(http, HttpMethod.Post, "/api/auth/login", new { email = credentials.AdminEmail, password = credentials.Password }, ct);
        return login.GetProperty("accessToken").GetString()!;
    }

    private async Task<Guid> EnsureTenantAsync(HttpClient http, CancellationToken ct)
    {
        var tenants = await Send(http, HttpMethod.Get, "/api/tenants", null, ct);
        foreach (var tenant in tenants.EnumerateArray())
        {
            if (tenant.GetProperty("slug").GetString() == TenantSlug)
            {
                return tenant.GetProperty("id").GetGuid();
            }
        }
        var created = await Send(http, HttpMethod.Post, "/api/tenants",
            new { name = "Demo MSP", slug = TenantSlug, description = "Simulated Proxmox clusters started by the demo verb" }, ct);
        return created.GetProperty("id").GetGuid();
    }

    private async Task<Guid> EnsureUserAsync(HttpClient http, string email, string name, CancellationToken ct)
    {
        var page = await Send(http, HttpMethod.Get, $"/api/users?search={Uri.EscapeDataString(email)}", null, ct);
        foreach (var user in page.GetProperty("items").EnumerateArray())
        {
            if (string.Equals(user.GetProperty("email").GetString(), email, StringComparison.OrdinalIgnoreCase))
            {
                return user.GetProperty("id").GetGuid();
            }
        }
        var created = await Send(http, HttpMethod.Post, "/api/users",
            new { email, password = credentials.Password, fullName = name, globalRole = GlobalRole.User }, ct);
        return created.GetProperty("id").GetGuid();
    }

    private async Task<int> RegisterClustersAsync(HttpClient http, Guid tenantId, CancellationToken ct)
    {
        var existing = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var known in (await Send(http, HttpMethod.Get, $"/api/tenants/{tenantId}/servers", null, ct)).EnumerateArray())
        {
            existing[known.GetProperty("name").GetString()!] = known.GetProperty("id").GetGuid();
        }
        foreach (var cluster in simulator.Clusters)
        {
            var body = new
            {
                name = cluster.Name,
                host = cluster.PrimaryUrl.Host,
                port = cluster.PrimaryUrl.Port,
                apiToken = cluster.ApiToken,
                trust = new { mode = "pinned", fingerprints = cluster.Fingerprints.Values.ToArray() },
                secondaryHost = cluster.SecondaryUrl?.Host ?? "",
                secondaryPort = cluster.SecondaryUrl?.Port,
                isActive = true,
            };
            if (existing.TryGetValue(cluster.Name, out var id))
            {
                await Send(http, HttpMethod.Patch, $"/api/servers/{id}", body, ct);
            }
            else
            {
                await Send(http, HttpMethod.Post, $"/api/tenants/{tenantId}/servers", body, ct);
            }
        }
        return simulator.Clusters.Count;
    }

    private static async Task<JsonElement> Send(HttpClient http, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private Uri LocalAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new UriBuilder(address);
        if (uri.Host is "0.0.0.0" or "[::]" or "+" or "*" || !IPAddress.TryParse(uri.Host, out _))
        {
            uri.Host = "127.0.0.1";
        }
        return uri.Uri;
    }

    private void Print(Uri baseAddress, int clusters)
    {
        var lines = Members.Select(m => $"   {m.Email,-26} tenant {m.Role.ToString().ToLowerInvariant()}");
        Console.Out.WriteLine($"""

            ================================================================
             Nexus demo is ready: {baseAddress}
             {clusters} simulated Proxmox cluster(s) registered in tenant "Demo MSP".
             Every demo account's password: {credentials.Password}
               {credentials.AdminEmail,-26} global admin
            {string.Join(Environment.NewLine, lines)}
            ================================================================

            """);
    }
}
