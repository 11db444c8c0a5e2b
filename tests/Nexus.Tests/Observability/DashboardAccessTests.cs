using System.Net;
using System.Text.Json;
using Nexus.Tests.Servers;
using Nexus.Tests.Web;

namespace Nexus.Tests.Observability;

/// <summary>
/// The Orleans Dashboard at <c>/orleans-dashboard</c>: only through the session cookie a global admin gets from
/// <c>POST /api/admin/dashboard-session</c>, re-checked against the database on every request.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed class DashboardAccessTests(DashboardAccessTests.World world) : IClassFixture<DashboardAccessTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal ServerTestWorld Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await ServerTestWorld.StartAsync(simulator: false);

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private const string SessionPath = "/api/admin/dashboard-session";

    private ServerTestWorld Host => world.Host;

    [Fact]
    public async Task A_global_admin_opens_a_session_cookie_scoped_to_the_dashboard_and_is_served_through_it()
    {
        using var opened = await Host.Admin.SendAsync(HttpMethod.Post, SessionPath);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        var body = JsonDocument.Parse(await opened.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("/orleans-dashboard/", body.GetProperty("url").GetString());
        var setCookie = Assert.Single(opened.Headers.GetValues("Set-Cookie"), c => c.StartsWith("nexus_dashboard=", StringComparison.Ordinal));
        var attributes = setCookie.ToLowerInvariant();
        Assert.Contains("path=/orleans-dashboard", attributes, StringComparison.Ordinal);
        Assert.Contains("httponly", attributes, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", attributes, StringComparison.Ordinal);
        Assert.Contains("secure", attributes, StringComparison.Ordinal);
        var cookie = CookieValue(setCookie);

        using var page = await DashboardAsync("/orleans-dashboard/", cookie);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        using var stats = await DashboardAsync("/orleans-dashboard/ClusterStats", cookie);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(await stats.Content.ReadAsStringAsync()).RootElement.ValueKind);

        // The cookie is no API credential.
        using var me = await DashboardAsync("/api/me", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);

        Assert.True(await Host.ScalarAsync<long>(
            "SELECT count(*) FROM nexus.audit_log WHERE action = 'admin.dashboard_opened' AND outcome = 'success' AND actor_id = @id",
            ("id", Host.Admin.UserId)) >= 1);
    }

    [Fact]
    public async Task Anonymous_callers_tenant_users_and_plain_users_are_refused()
    {
        using (var anonymous = await DashboardAsync("/orleans-dashboard/", cookie: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        }
        using (var noSession = await new ApiClient(Host.Http).SendAsync(HttpMethod.Post, SessionPath))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noSession.StatusCode);
        }

        var tenant = await Host.NewTenantAsync("Dash");
        var tenantAdmin = await Host.NewUserAsync("tadmin");
        await Host.AddMemberAsync(tenant, tenantAdmin.UserId, "admin");
        var plain = await Host.NewUserAsync("plain");
        foreach (var user in new[] { tenantAdmin, plain })
        {
            using var denied = await user.SendAsync(HttpMethod.Post, SessionPath);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.False(denied.Headers.Contains("Set-Cookie"));
            // A bearer token, even a global admin's, does not open the dashboard: only the session cookie does.
            using var bearer = await user.SendAsync(HttpMethod.Get, "/orleans-dashboard/ClusterStats");
            Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
        }
        using (var adminBearer = await Host.Admin.SendAsync(HttpMethod.Get, "/orleans-dashboard/ClusterStats"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, adminBearer.StatusCode);
        }
        Assert.Equal(1, await Host.ScalarAsync<long>(
            "SELECT count(*) FROM nexus.audit_log WHERE action = 'admin.dashboard_opened' AND outcome = 'denied' AND actor_id = @id",
            ("id", plain.UserId)));
    }

    [Fact]
    public async Task A_forged_cookie_or_an_api_token_in_its_place_is_refused()
    {
        var cookie = await OpenSessionAsync(Host.Admin);
        var tampered = cookie[..^4] + (cookie.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        foreach (var forged in new[] { tampered, Host.Admin.AccessToken!, "not-a-token" })
        {
            using var response = await DashboardAsync("/orleans-dashboard/ClusterStats", forged);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_session_stops_working_at_once_when_its_admin_is_demoted_or_disabled()
    {
        var email = $"ops-{Guid.NewGuid():N}"[..12] + "@nexus.test";
        await Host.Admin.CallAsync(HttpMethod.Post, "/api/users", new { email, password = "password-ops", globalRole = "admin" }, HttpStatusCode.Created);
        var ops = await ApiClient.SignInAsync(Host.Http, email, "password-ops");
        var cookie = await OpenSessionAsync(ops);
        using (var allowed = await DashboardAsync("/orleans-dashboard/ClusterStats", cookie))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/users/{ops.UserId}/role", new { role = "user" });
        using (var demoted = await DashboardAsync("/orleans-dashboard/ClusterStats", cookie))
        {
            Assert.Equal(HttpStatusCode.Forbidden, demoted.StatusCode);
        }

        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/users/{ops.UserId}/role", new { role = "admin" });
        await Host.Admin.CallAsync(HttpMethod.Patch, $"/api/users/{ops.UserId}", new { disabled = true });
        using var disabled = await DashboardAsync("/orleans-dashboard/ClusterStats", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, disabled.StatusCode);
    }

    [Fact]
    public async Task Signing_out_tells_the_browser_to_drop_the_dashboard_cookie()
    {
        using var signedOut = await Host.Http.PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        var dropped = Assert.Single(signedOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith("nexus_dashboard=;", StringComparison.Ordinal));
        var attributes = dropped.ToLowerInvariant();
        // Same path as the cookie was set with, or the browser keeps it; and already expired.
        Assert.Contains("path=/orleans-dashboard", attributes, StringComparison.Ordinal);
        Assert.Contains("expires=thu, 01 jan 1970", attributes, StringComparison.Ordinal);
    }

    private static async Task<string> OpenSessionAsync(ApiClient who)
    {
        using var opened = await who.SendAsync(HttpMethod.Post, SessionPath);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        return CookieValue(opened.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("nexus_dashboard=", StringComparison.Ordinal)));
    }

    private static string CookieValue(string setCookie) => setCookie.Split(';')[0]["nexus_dashboard=".Length..];

    // Sent by hand: the cookie is Secure, which a CookieContainer would not send over http.
    private async Task<HttpResponseMessage> DashboardAsync(string path, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", "nexus_dashboard=" + cookie);
        }
        return await Host.Http.SendAsync(request);
    }
}
