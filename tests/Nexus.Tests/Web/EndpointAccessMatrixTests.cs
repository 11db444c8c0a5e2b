using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Nexus.Tests.Web;

/// <summary>
/// Every endpoint of identity, users, tenants, grants, settings and audit, called as each kind of caller; each
/// cell asserts the status code. 401: not signed in (or disabled). 403: sees the tenant but may not do this.
/// 404: may not see the tenant at all, exactly as if it did not exist.
/// </summary>
public sealed class EndpointAccessMatrixTests(AccessMatrixWorld world) : IClassFixture<AccessMatrixWorld>
{
    private const int Ok = 200, Created = 201, NoContent = 204, Bad = 400, Unauth = 401, Forbid = 403, NotFound = 404;

    // Columns: anonymous, global admin, tenant admin, manager, viewer, admin of another tenant, disabled user.
    private static readonly Dictionary<string, Row> Table = new()
    {
        ["POST /api/auth/login (unknown account)"] = new(HttpMethod.Post, _ => Task.FromResult("/api/auth/login"),
            _ => Json(new { email = "nobody@nexus.test", password = "whatever-1" }), [Unauth, Unauth, Unauth, Unauth, Unauth, Unauth, Unauth]),
        ["POST /api/auth/refresh (no cookie)"] = new(HttpMethod.Post, _ => Task.FromResult("/api/auth/refresh"), null,
            [Unauth, Unauth, Unauth, Unauth, Unauth, Unauth, Unauth]),
        ["POST /api/auth/logout"] = new(HttpMethod.Post, _ => Task.FromResult("/api/auth/logout"), null,
            [NoContent, NoContent, NoContent, NoContent, NoContent, NoContent, NoContent]),
        ["GET /api/me"] = new(HttpMethod.Get, _ => Task.FromResult("/api/me"), null,
            [Unauth, Ok, Ok, Ok, Ok, Ok, Unauth]),
        ["PATCH /api/me"] = new(HttpMethod.Patch, _ => Task.FromResult("/api/me"), _ => Json(new { company = "Acme" }),
            [Unauth, Ok, Ok, Ok, Ok, Ok, Unauth]),
        ["POST /api/me/password (wrong current)"] = new(HttpMethod.Post, _ => Task.FromResult("/api/me/password"),
            _ => Json(new { currentPassword = "not-my-password", newPassword = "a-new-password" }), [Unauth, Bad, Bad, Bad, Bad, Bad, Unauth]),

        ["GET /api/users"] = new(HttpMethod.Get, _ => Task.FromResult("/api/users?search=nexus&page=1"), null,
            [Unauth, Ok, Forbid, Forbid, Forbid, Forbid, Unauth]),
        ["POST /api/users"] = new(HttpMethod.Post, _ => Task.FromResult("/api/users"),
            _ => Json(new { email = $"new-{Guid.NewGuid():N}@nexus.test", password = "password-new" }), [Unauth, Created, Forbid, Forbid, Forbid, Forbid, Unauth]),
        ["PATCH /api/users/{id}"] = new(HttpMethod.Patch, w => Task.FromResult($"/api/users/{w.Victim.UserId}"), _ => Json(new { company = "Initech" }),
            [Unauth, Ok, Forbid, Forbid, Forbid, Forbid, Unauth]),
        ["PUT /api/users/{id}/role"] = new(HttpMethod.Put, w => Task.FromResult($"/api/users/{w.Victim.UserId}/role"), _ => Json(new { role = "user" }),
            [Unauth, Ok, Forbid, Forbid, Forbid, Forbid, Unauth]),
        ["DELETE /api/users/{id}"] = new(HttpMethod.Delete, async w => $"/api/users/{(await w.Host.NewUserAsync("doomed")).UserId}", null,
            [Unauth, NoContent, Forbid, Forbid, Forbid, Forbid, Unauth]),

        ["GET /api/tenants"] = new(HttpMethod.Get, _ => Task.FromResult("/api/tenants"), null,
            [Unauth, Ok, Ok, Ok, Ok, Ok, Unauth]),
        ["POST /api/tenants"] = new(HttpMethod.Post, _ => Task.FromResult("/api/tenants"), _ => Json(new { name = $"New {Guid.NewGuid():N}" }),
            [Unauth, Created, Forbid, Forbid, Forbid, Forbid, Unauth]),
        ["GET /api/tenants/{id}"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),
        ["PATCH /api/tenants/{id}"] = new(HttpMethod.Patch, w => Task.FromResult($"/api/tenants/{w.Tenant}"), _ => Json(new { description = "Main tenant" }),
            [Unauth, Ok, Forbid, Forbid, Forbid, NotFound, Unauth]),
        ["DELETE /api/tenants/{id}"] = new(HttpMethod.Delete, async w => $"/api/tenants/{await w.TenantLikeTheMainOneAsync()}", null,
            [Unauth, NoContent, Forbid, Forbid, Forbid, NotFound, Unauth]),

        ["GET /api/tenants/{id}/members"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/members"), null,
            [Unauth, Ok, Ok, Forbid, Forbid, NotFound, Unauth]),
        ["PUT /api/tenants/{id}/members/{userId} (new member)"] = new(HttpMethod.Put, async w =>
            {
                await w.Host.Admin.SendAsync(HttpMethod.Delete, $"/api/tenants/{w.Tenant}/members/{w.Victim.UserId}");
                return $"/api/tenants/{w.Tenant}/members/{w.Victim.UserId}";
            }, _ => Json(new { role = "viewer" }), [Unauth, Created, Created, Forbid, Forbid, NotFound, Unauth]),
        ["DELETE /api/tenants/{id}/members/{userId}"] = new(HttpMethod.Delete, async w =>
            {
                await w.Host.Admin.SendAsync(HttpMethod.Put, $"/api/tenants/{w.Tenant}/members/{w.Victim.UserId}", new { role = "viewer" });
                return $"/api/tenants/{w.Tenant}/members/{w.Victim.UserId}";
            }, null, [Unauth, NoContent, NoContent, Forbid, Forbid, NotFound, Unauth]),
        ["GET /api/tenants/{id}/member-candidates"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/member-candidates?q=victim"), null,
            [Unauth, Ok, Ok, Forbid, Forbid, NotFound, Unauth]),

        ["GET /api/tenants/{id}/vm-grants"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/vm-grants"), null,
            [Unauth, Ok, Ok, Forbid, Forbid, NotFound, Unauth]),
        ["POST /api/tenants/{id}/vm-grants"] = new(HttpMethod.Post, w => Task.FromResult($"/api/tenants/{w.Tenant}/vm-grants"),
            w => Json(new { userId = w.Viewer.UserId, serverId = w.Server, guestType = "qemu", vmId = w.NextVmId(), permissions = new[] { "console" } }),
            [Unauth, Created, Created, Forbid, Forbid, NotFound, Unauth]),
        ["PATCH /api/tenants/{id}/vm-grants/{grantId}"] = new(HttpMethod.Patch, w => Task.FromResult($"/api/tenants/{w.Tenant}/vm-grants/{w.Grant}"),
            _ => Json(new { permissions = new[] { "view", "console" } }), [Unauth, Ok, Ok, Forbid, Forbid, NotFound, Unauth]),
        ["DELETE /api/tenants/{id}/vm-grants/{grantId}"] = new(HttpMethod.Delete, async w => $"/api/tenants/{w.Tenant}/vm-grants/{await w.NewGrantAsync()}", null,
            [Unauth, NoContent, NoContent, Forbid, Forbid, NotFound, Unauth]),

        ["GET /api/tenants/{id}/settings"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/settings"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),
        ["PUT /api/tenants/{id}/settings"] = new(HttpMethod.Put, w => Task.FromResult($"/api/tenants/{w.Tenant}/settings"),
            _ => Json(new { alertLatencyThresholdMs = 600 }), [Unauth, Ok, Ok, Forbid, Forbid, NotFound, Unauth]),
        ["GET /api/tenants/{id}/logo"] = new(HttpMethod.Get, async w => { await w.UploadLogoAsync(); return $"/api/tenants/{w.Tenant}/logo"; }, null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),
        ["PUT /api/tenants/{id}/logo"] = new(HttpMethod.Put, w => Task.FromResult($"/api/tenants/{w.Tenant}/logo"), _ => Png(),
            [Unauth, Ok, Ok, Forbid, Forbid, NotFound, Unauth]),
        ["DELETE /api/tenants/{id}/logo"] = new(HttpMethod.Delete, async w => { await w.UploadLogoAsync(); return $"/api/tenants/{w.Tenant}/logo"; }, null,
            [Unauth, NoContent, NoContent, Forbid, Forbid, NotFound, Unauth]),

        ["GET /api/tenants/{id}/audit"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/audit?search=tenant"), null,
            [Unauth, Ok, Ok, Forbid, Forbid, NotFound, Unauth]),
        ["GET /api/tenants/{id}/audit.csv"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/audit.csv"), null,
            [Unauth, Ok, Ok, Forbid, Forbid, NotFound, Unauth]),
        ["GET /api/tenants/{unknown id}"] = new(HttpMethod.Get, _ => Task.FromResult($"/api/tenants/{Guid.NewGuid()}"), null,
            [Unauth, NotFound, NotFound, NotFound, NotFound, NotFound, Unauth]),

        // Servers: the matrix's server is registered but never reachable; reads and edits only touch PostgreSQL.
        ["GET /api/tenants/{id}/servers"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/servers"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),
        ["POST /api/tenants/{id}/servers"] = new(HttpMethod.Post, w => Task.FromResult($"/api/tenants/{w.Tenant}/servers"), _ => Json(UnreachableServer()),
            [Unauth, Created, Created, Created, Forbid, NotFound, Unauth]),
        ["POST /api/tenants/{id}/servers/import"] = new(HttpMethod.Post, w => Task.FromResult($"/api/tenants/{w.Tenant}/servers/import"), _ => Csv(),
            [Unauth, Ok, Ok, Ok, Forbid, NotFound, Unauth]),
        ["GET /api/servers/{serverId}"] = new(HttpMethod.Get, w => Task.FromResult($"/api/servers/{w.Server}"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),
        ["PATCH /api/servers/{serverId}"] = new(HttpMethod.Patch, async w => $"/api/servers/{await RegisteredServerAsync(w)}", _ => Json(new { name = $"renamed-{Guid.NewGuid():N}" }),
            [Unauth, Ok, Ok, Ok, Forbid, NotFound, Unauth]),
        ["DELETE /api/servers/{serverId}"] = new(HttpMethod.Delete, async w => $"/api/servers/{await w.Host.NewServerAsync(w.Tenant)}", null,
            [Unauth, NoContent, NoContent, Forbid, Forbid, NotFound, Unauth]),
        ["POST /api/servers/{serverId}/test"] = new(HttpMethod.Post, async w => $"/api/servers/{await RegisteredServerAsync(w)}/test", null,
            [Unauth, Ok, Ok, Ok, Forbid, NotFound, Unauth]),
        // Nothing listens on the probed port: allowed callers get 502 (the probe ran), others never reach it.
        ["POST /api/servers/probe-certificate"] = new(HttpMethod.Post, _ => Task.FromResult("/api/servers/probe-certificate"),
            _ => Json(new { host = "127.0.0.1", port = ClosedPort }), [Unauth, 502, 502, 502, Forbid, 502, Unauth]),

        ["GET /api/servers/{serverId}/status"] = new(HttpMethod.Get, w => Task.FromResult($"/api/servers/{w.Server}/status"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),
        ["GET /api/servers/{serverId}/metrics"] = new(HttpMethod.Get, w => Task.FromResult($"/api/servers/{w.Server}/metrics?range=24h"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),

        // VMs: the matrix's server is never polled, so its VM 100 is unknown (404) to everyone signed in; the VM action
        // permission matrix against a polled simulator is in Vms/VmActionTests.
        ["GET /api/tenants/{id}/vms"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/vms"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),
        ["GET /api/vms"] = new(HttpMethod.Get, _ => Task.FromResult("/api/vms"), null,
            [Unauth, Ok, Ok, Ok, Ok, Ok, Unauth]),
        ["GET /api/tenants/{id}/stats"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/stats"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),
        ["GET /api/servers/{serverId}/vms/{type}/{vmid}"] = new(HttpMethod.Get, w => Task.FromResult($"/api/servers/{w.Server}/vms/qemu/100"), null,
            [Unauth, NotFound, NotFound, NotFound, NotFound, NotFound, Unauth]),
        ["POST /api/servers/{serverId}/vms/{type}/{vmid}/actions/{action}"] = new(HttpMethod.Post, w => Task.FromResult($"/api/servers/{w.Server}/vms/qemu/100/actions/start"), null,
            [Unauth, NotFound, NotFound, NotFound, NotFound, NotFound, Unauth]),
        ["GET /api/servers/{serverId}/vms/{type}/{vmid}/tasks"] = new(HttpMethod.Get, w => Task.FromResult($"/api/servers/{w.Server}/vms/qemu/100/tasks"), null,
            [Unauth, NotFound, NotFound, NotFound, NotFound, NotFound, Unauth]),
        ["GET /api/servers/{serverId}/vms/{type}/{vmid}/rrd"] = new(HttpMethod.Get, w => Task.FromResult($"/api/servers/{w.Server}/vms/qemu/100/rrd?timeframe=hour"), null,
            [Unauth, NotFound, NotFound, NotFound, NotFound, NotFound, Unauth]),

        ["GET /api/tenants/{id}/live"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/live"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),

        // Consoles: the matrix's server is never polled here, so no VM is visible and opening is 404 for everyone signed in;
        // the console permission matrix itself is in Consoles/ConsoleAccessTests.
        ["POST /api/consoles"] = new(HttpMethod.Post, _ => Task.FromResult("/api/consoles"), w => Json(new { serverId = w.Server, type = "qemu", vmid = 100 }),
            [Unauth, NotFound, NotFound, NotFound, NotFound, NotFound, Unauth]),
        ["DELETE /api/consoles/{sessionId}"] = new(HttpMethod.Delete, _ => Task.FromResult($"/api/consoles/{Guid.NewGuid()}"), null,
            [Unauth, NotFound, NotFound, NotFound, NotFound, NotFound, Unauth]),
        ["GET /api/tenants/{id}/consoles"] = new(HttpMethod.Get, w => Task.FromResult($"/api/tenants/{w.Tenant}/consoles"), null,
            [Unauth, Ok, Ok, Ok, Ok, NotFound, Unauth]),
        ["GET /api/consoles/{sessionId}/ws (not a WebSocket)"] = new(HttpMethod.Get, _ => Task.FromResult($"/api/consoles/{Guid.NewGuid()}/ws"), null,
            [Bad, Bad, Bad, Bad, Bad, Bad, Bad]),

        // Observability: the Orleans Dashboard's session cookie is for global admins only (Observability/DashboardAccessTests).
        ["POST /api/admin/dashboard-session"] = new(HttpMethod.Post, _ => Task.FromResult("/api/admin/dashboard-session"), null,
            [Unauth, Ok, Forbid, Forbid, Forbid, Forbid, Unauth]),

        ["GET /openapi/v1.json"] = new(HttpMethod.Get, _ => Task.FromResult("/openapi/v1.json"), null,
            [Ok, Ok, Ok, Ok, Ok, Ok, Ok]),
    };

    public static TheoryData<string> Rows => new(Table.Keys);

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Each_kind_of_caller_gets_the_status_the_permission_matrix_gives(string endpoint)
    {
        var row = Table[endpoint];
        var actual = new List<int>();
        foreach (var caller in world.Callers)
        {
            var path = await row.ArrangeAsync(world);
            using var response = await caller.SendAsync(row.Method, path, row.Body?.Invoke(world));
            actual.Add((int)response.StatusCode);
        }
        Assert.True(row.Expected.SequenceEqual(actual),
            $"{endpoint}\n  callers:  {string.Join(", ", AccessMatrixWorld.CallerNames)}\n  expected: {string.Join(", ", row.Expected)}\n  actual:   {string.Join(", ", actual)}");
    }

    [Fact]
    public void Every_mapped_api_endpoint_has_a_row()
    {
        var mapped = world.Host.Host.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>()
            .Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {Normalize(e.RoutePattern.RawText!)}"))
            .ToHashSet();
        var covered = Table.Values.Select(r => r.Method.Method).Zip(Table.Keys, (m, k) => $"{m} {Normalize(k.Split(' ')[1])}").ToHashSet();
        Assert.Empty(mapped.Except(covered).Except(CoveredElsewhere.Keys));
    }

    [Fact]
    public async Task Errors_are_problem_details_and_validation_errors_name_their_fields()
    {
        using var anonymous = await world.Host.Anonymous().SendAsync(HttpMethod.Get, "/api/me");
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        using var invalid = await world.Host.Admin.SendAsync(HttpMethod.Post, "/api/users", new { email = "not-an-address", password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("email", out _));
        Assert.True(errors.TryGetProperty("password", out _));

        using var hidden = await world.Callers[5].SendAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/settings");
        using var absent = await world.Callers[5].SendAsync(HttpMethod.Get, $"/api/tenants/{Guid.NewGuid()}/settings");
        // A tenant the caller may not see reads exactly like one that does not exist.
        Assert.Equal(StripTraceId(await absent.Content.ReadAsStringAsync()), StripTraceId(await hidden.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        var document = await world.Host.Anonymous().CallAsync(HttpMethod.Get, "/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/auth/login", "/api/me", "/api/users/{id}/role", "/api/tenants/{id}/members/{userId}", "/api/tenants/{id}/audit.csv" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.True(paths.GetProperty("/api/me").GetProperty("get").TryGetProperty("security", out _));
        Assert.False(paths.GetProperty("/api/auth/login").GetProperty("post").TryGetProperty("security", out _));
    }

    private static string StripTraceId(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");

    // Route parameters named differently in the table and the route ("{id:guid}" vs "{unknown id}") compare equal.
    private static string Normalize(string route) => System.Text.RegularExpressions.Regex.Replace(route.Split('?')[0].TrimEnd('/'), "\\{[^}]*\\}", "{}");

    private static readonly int ClosedPort = Support.FreePort.Next();

    private static int _unreachableHosts;

    // A distinct loopback address per server: host and port are unique per tenant, and a "free" port can be handed
    // out twice in a run (it was free both times), which made a registration answer 409.
    private static object UnreachableServer()
    {
        var n = Interlocked.Increment(ref _unreachableHosts);
        return new
        {
            name = $"unreachable-{Guid.NewGuid():N}",
            host = $"127.0.{n / 250 % 250}.{n % 250 + 1}",
            port = ClosedPort,
            apiToken = $"root@pam!matrix={Guid.NewGuid()}",
            trust = new { mode = "system" },
        };
    }

    // A server registered through the API (with an encrypted token), unlike the row the world inserts directly.
    private static async Task<Guid> RegisteredServerAsync(AccessMatrixWorld w)
    {
        using var created = await w.Host.Admin.SendAsync(HttpMethod.Post, $"/api/tenants/{w.Tenant}/servers", UnreachableServer());
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static StringContent Csv() => new(
        $"name,host,port,api_token\nimported-{Guid.NewGuid():N},127.0.0.1,{Support.FreePort.Next()},root@pam!csv={Guid.NewGuid()}\n",
        System.Text.Encoding.UTF8, "text/csv");

    private static HttpContent Json(object body) => System.Net.Http.Json.JsonContent.Create(body, options: ApiClient.Json);

    internal static HttpContent Png()
    {
        var content = new ByteArrayContent(AccessMatrixWorld.PngBytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    // Endpoints that cannot run as the matrix's shared callers, with the tests that cover their access instead.
    private static readonly Dictionary<string, string> CoveredElsewhere = new()
    {
        // It ends every session of the caller, who would then fail every later row.
        ["POST /api/me/sign-out-everywhere"] = "SessionTests.Signing_out_everywhere_ends_every_session_of_the_account_and_only_of_that_account",
    };

    private sealed record Row(HttpMethod Method, Func<AccessMatrixWorld, Task<string>> ArrangeAsync, Func<AccessMatrixWorld, HttpContent>? Body, int[] Expected);
}

/// <summary>
/// One host for the whole matrix: the bootstrap admin, a main tenant with an admin, a manager, a viewer and a
/// member who is disabled after signing in, the admin of another tenant, a server with a VM grant, and a logo.
/// </summary>
public sealed class AccessMatrixWorld : IAsyncLifetime
{
    public static readonly string[] CallerNames = ["anonymous", "global admin", "tenant admin", "manager", "viewer", "other tenant", "disabled"];

    // The smallest valid PNG: signature, IHDR 1x1, IDAT, IEND.
    public static readonly byte[] PngBytes = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    private int _vmId = 1000;

    internal IdentityHost Host { get; private set; } = null!;
    internal ApiClient Viewer { get; private set; } = null!;
    internal ApiClient Victim { get; private set; } = null!;
    internal IReadOnlyList<ApiClient> Callers { get; private set; } = [];
    internal Guid Tenant { get; private set; }
    internal Guid Server { get; private set; }
    internal Guid Grant { get; private set; }
    private ApiClient TenantAdmin { get; set; } = null!;
    private ApiClient Manager { get; set; } = null!;

    public int NextVmId() => Interlocked.Increment(ref _vmId);

    public async Task InitializeAsync()
    {
        // The matrix signs in a handful of users from one address; throttling has its own tests.
        Host = await IdentityHost.StartAsync("--Nexus:Auth:PerIpPermitLimit=100000", "--Nexus:Auth:PerAccountPermitLimit=100000");
        TenantAdmin = await Host.NewUserAsync("tenantadmin");
        Manager = await Host.NewUserAsync("manager");
        Viewer = await Host.NewUserAsync("viewer");
        var outsider = await Host.NewUserAsync("outsider");
        var disabled = await Host.NewUserAsync("disabled");
        Victim = await Host.NewUserAsync("victim");

        Tenant = await Host.NewTenantAsync("Main");
        var other = await Host.NewTenantAsync("Other");
        await Host.AddMemberAsync(Tenant, TenantAdmin.UserId, "admin");
        await Host.AddMemberAsync(Tenant, Manager.UserId, "manager");
        await Host.AddMemberAsync(Tenant, Viewer.UserId, "viewer");
        await Host.AddMemberAsync(Tenant, disabled.UserId, "admin");
        await Host.AddMemberAsync(other, outsider.UserId, "admin");

        Server = await Host.NewServerAsync(Tenant);
        Grant = await NewGrantAsync();
        await UploadLogoAsync();

        // Signed in (holds a valid access token) and then disabled: the token must stop working at once.
        await Host.Admin.CallAsync(HttpMethod.Patch, $"/api/users/{disabled.UserId}", new { disabled = true });

        Callers = [Host.Anonymous(), Host.Admin, TenantAdmin, Manager, Viewer, outsider, disabled];
    }

    public async Task<Guid> NewGrantAsync()
    {
        var grant = await Host.Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{Tenant}/vm-grants",
            new { userId = Viewer.UserId, serverId = Server, guestType = "qemu", vmId = NextVmId(), permissions = new[] { "view", "console" } }, HttpStatusCode.Created);
        return grant.GetProperty("id").GetGuid();
    }

    public async Task UploadLogoAsync()
    {
        using var response = await Host.Admin.SendAsync(HttpMethod.Put, $"/api/tenants/{Tenant}/logo", EndpointAccessMatrixTests.Png());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A throwaway tenant with the same members as the main one, so deleting it shows each role's answer.</summary>
    public async Task<Guid> TenantLikeTheMainOneAsync()
    {
        var tenant = await Host.NewTenantAsync("Doomed");
        await Host.AddMemberAsync(tenant, TenantAdmin.UserId, "admin");
        await Host.AddMemberAsync(tenant, Manager.UserId, "manager");
        await Host.AddMemberAsync(tenant, Viewer.UserId, "viewer");
        return tenant;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
