using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Nexus.Tests.Web;

namespace Nexus.Tests.Tenants;

/// <summary>Tenants, members, settings and logos through the API, against a real host and database.</summary>
public sealed class TenantApiTests(TenantApiTests.World world) : IClassFixture<TenantApiTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal IdentityHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await IdentityHost.StartAsync("--Nexus:Auth:PerIpPermitLimit=100000");

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private IdentityHost Host => world.Host;

    [Fact]
    public async Task Members_list_only_their_active_tenants_with_their_role_and_admins_list_all_including_inactive()
    {
        var member = await Host.NewUserAsync("lister");
        var mine = await Host.NewTenantAsync("Mine");
        var notMine = await Host.NewTenantAsync("NotMine");
        var dormant = await Host.NewTenantAsync("Dormant");
        await Host.AddMemberAsync(mine, member.UserId, "manager");
        await Host.AddMemberAsync(dormant, member.UserId, "admin");
        await Host.Admin.CallAsync(HttpMethod.Patch, $"/api/tenants/{dormant}", new { isActive = false });

        var list = (await member.CallAsync(HttpMethod.Get, "/api/tenants")).EnumerateArray().ToList();
        var only = Assert.Single(list);
        Assert.Equal(mine, only.GetProperty("id").GetGuid());
        Assert.Equal("manager", only.GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await member.SendAsync(HttpMethod.Get, $"/api/tenants/{dormant}")).StatusCode);

        var all = (await Host.Admin.CallAsync(HttpMethod.Get, "/api/tenants")).EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).ToList();
        Assert.Contains(notMine, all);
        Assert.Contains(dormant, all);
    }

    [Fact]
    public async Task A_slug_is_derived_from_the_name_and_a_duplicate_slug_is_409()
    {
        var created = await Host.Admin.CallAsync(HttpMethod.Post, "/api/tenants", new { name = "Acme GmbH & Co. KG " + Guid.NewGuid().ToString("N")[..6] }, HttpStatusCode.Created);
        var slug = created.GetProperty("slug").GetString()!;
        Assert.Matches("^acme-gmbh-co-kg-[0-9a-f]{6}$", slug);

        using var duplicate = await Host.Admin.SendAsync(HttpMethod.Post, "/api/tenants", new { name = "Other name", slug });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("application/problem+json", duplicate.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Settings_read_as_defaults_without_writing_and_out_of_range_values_are_field_errors()
    {
        var tenant = await Host.NewTenantAsync("Settings");
        var settings = await Host.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/settings");
        Assert.Equal("#3b82f6", settings.GetProperty("primaryColor").GetString());
        Assert.Equal(10000, settings.GetProperty("defaultConnectionTimeoutMs").GetInt32());
        Assert.Equal(80, settings.GetProperty("alertSuccessRateThreshold").GetDecimal());
        Assert.Equal(0, await Host.CountRowsAsync("SELECT count(*) FROM nexus.tenant_settings WHERE tenant_id = @t", tenant));

        using var bad = await Host.Admin.SendAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings",
            new { defaultConnectionTimeoutMs = 1000, alertSuccessRateThreshold = 40, primaryColor = "red", alertOfflineDurationSeconds = 301 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "defaultConnectionTimeoutMs", "alertSuccessRateThreshold", "primaryColor", "alertOfflineDurationSeconds" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }

        var saved = await Host.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new { alertLatencyThresholdMs = 1200, accentColor = "#123abc" });
        Assert.Equal(1200, saved.GetProperty("alertLatencyThresholdMs").GetInt32());
        Assert.Equal("#123abc", saved.GetProperty("accentColor").GetString());
        Assert.Equal("#3b82f6", saved.GetProperty("primaryColor").GetString());
    }

    [Fact]
    public async Task A_tenant_admin_cannot_raise_the_server_quota_set_by_the_operator()
    {
        var tenant = await Host.NewTenantAsync("Quota");
        var admin = await Host.NewUserAsync("quotaadmin");
        await Host.AddMemberAsync(tenant, admin.UserId, "admin");

        using var raise = await admin.SendAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new { serverQuota = 5000 });
        Assert.Equal(HttpStatusCode.Forbidden, raise.StatusCode);
        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new { serverQuota = 70 });
        Assert.Equal(70, (await admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/settings")).GetProperty("serverQuota").GetInt32());
    }

    [Fact]
    public async Task A_logo_is_checked_by_its_bytes_svg_and_oversized_files_are_refused()
    {
        var tenant = await Host.NewTenantAsync("Logo");
        var svg = new ByteArrayContent("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray());
        svg.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using (var refused = await Host.Admin.SendAsync(HttpMethod.Put, $"/api/tenants/{tenant}/logo", svg))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        }

        var huge = new byte[2 * 1024 * 1024 + 1];
        AccessMatrixWorld.PngBytes.CopyTo(huge, 0);
        using (var tooLarge = await Host.Admin.SendAsync(HttpMethod.Put, $"/api/tenants/{tenant}/logo", new ByteArrayContent(huge)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        }

        var webp = "RIFF\0\0\0\0WEBPVP8 "u8.ToArray();
        using var put = await Host.Admin.SendAsync(HttpMethod.Put, $"/api/tenants/{tenant}/logo", new ByteArrayContent(webp));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("image/webp", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task A_logo_is_served_with_its_content_hash_for_caching()
    {
        var tenant = await Host.NewTenantAsync("Cache");
        using var put = await Host.Admin.SendAsync(HttpMethod.Put, $"/api/tenants/{tenant}/logo", new ByteArrayContent(AccessMatrixWorld.PngBytes));
        var logo = await put.Content.ReadFromJsonAsync<JsonElement>();
        var url = logo.GetProperty("url").GetString()!;
        Assert.Equal(url, (await Host.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/settings")).GetProperty("logoUrl").GetString());

        using var get = await Host.Admin.SendAsync(HttpMethod.Get, url);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("image/png", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(AccessMatrixWorld.PngBytes, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{logo.GetProperty("sha256").GetString()}\"", get.Headers.ETag?.Tag);
        Assert.True(get.Headers.CacheControl?.Private);
        Assert.Equal(TimeSpan.FromDays(365), get.Headers.CacheControl?.MaxAge);

        using var again = await Host.Admin.SendAsync(HttpMethod.Get, $"/api/tenants/{tenant}/logo", (HttpContent?)null, ("If-None-Match", get.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
    }

    [Fact]
    public async Task The_member_search_needs_two_characters_and_leaves_out_existing_members()
    {
        var tenant = await Host.NewTenantAsync("Search");
        var marker = "zq" + Guid.NewGuid().ToString("N")[..6];
        var inside = await Host.NewUserAsync(marker + "in");
        var outside = await Host.NewUserAsync(marker + "out");
        await Host.AddMemberAsync(tenant, inside.UserId, "viewer");

        using var tooShort = await Host.Admin.SendAsync(HttpMethod.Get, $"/api/tenants/{tenant}/member-candidates?q=z");
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);

        var found = (await Host.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/member-candidates?q={marker}")).EnumerateArray()
            .Select(c => c.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([outside.UserId], found);

        // Wildcards are matched literally, not as patterns.
        Assert.Empty((await Host.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/member-candidates?q=%25%25")).EnumerateArray());
    }

    [Fact]
    public async Task A_tenant_admin_cannot_remove_or_demote_the_last_admin_of_the_tenant()
    {
        var tenant = await Host.NewTenantAsync("LastAdmin");
        var admin = await Host.NewUserAsync("soleadmin");
        await Host.AddMemberAsync(tenant, admin.UserId, "admin");

        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync(HttpMethod.Put, $"/api/tenants/{tenant}/members/{admin.UserId}", new { role = "viewer" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync(HttpMethod.Delete, $"/api/tenants/{tenant}/members/{admin.UserId}")).StatusCode);
    }

    [Fact]
    public async Task A_tenant_admin_grants_vms_only_to_members_and_only_on_the_tenants_servers()
    {
        var tenant = await Host.NewTenantAsync("Grants");
        var other = await Host.NewTenantAsync("Elsewhere");
        var admin = await Host.NewUserAsync("grantadmin");
        var member = await Host.NewUserAsync("grantee");
        var stranger = await Host.NewUserAsync("stranger");
        await Host.AddMemberAsync(tenant, admin.UserId, "admin");
        await Host.AddMemberAsync(tenant, member.UserId, "viewer");
        var server = await Host.NewServerAsync(tenant);
        var foreignServer = await Host.NewServerAsync(other);
        var path = $"/api/tenants/{tenant}/vm-grants";

        var grant = await admin.CallAsync(HttpMethod.Post, path, new { userId = member.UserId, serverId = server, guestType = "qemu", vmId = 100, permissions = new[] { "console", "start" } }, HttpStatusCode.Created);
        Assert.Equal(["console", "start"], grant.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync(HttpMethod.Post, path, new { userId = member.UserId, serverId = server, guestType = "qemu", vmId = 100, permissions = new[] { "view" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync(HttpMethod.Post, path, new { userId = stranger.UserId, serverId = server, guestType = "qemu", vmId = 101, permissions = new[] { "view" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync(HttpMethod.Post, path, new { userId = member.UserId, serverId = foreignServer, guestType = "qemu", vmId = 102, permissions = new[] { "view" } })).StatusCode);

        using var invalid = await admin.SendAsync(HttpMethod.Post, path, new { userId = member.UserId, serverId = server, guestType = "vmware", vmId = 5, permissions = new[] { "reboot" } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("guestType", out _) && errors.TryGetProperty("vmId", out _) && errors.TryGetProperty("permissions", out _));
    }

    [Fact]
    public async Task Deleting_a_user_removes_their_memberships_and_grants_but_keeps_their_audit_rows()
    {
        var tenant = await Host.NewTenantAsync("Leaver");
        var admin = await Host.NewUserAsync("leaveradmin");
        var leaver = await Host.NewUserAsync("leaver");
        await Host.AddMemberAsync(tenant, admin.UserId, "admin");
        await Host.AddMemberAsync(tenant, leaver.UserId, "admin");
        var server = await Host.NewServerAsync(tenant);
        await leaver.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new { notifyOnVmAction = true });
        await admin.CallAsync(HttpMethod.Post, $"/api/tenants/{tenant}/vm-grants", new { userId = leaver.UserId, serverId = server, guestType = "lxc", vmId = 200, permissions = new[] { "view" } }, HttpStatusCode.Created);

        await Host.Admin.CallAsync(HttpMethod.Delete, $"/api/users/{leaver.UserId}", expected: HttpStatusCode.NoContent);

        Assert.DoesNotContain((await admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/members")).EnumerateArray(), m => m.GetProperty("userId").GetGuid() == leaver.UserId);
        Assert.Empty((await admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/vm-grants")).EnumerateArray());
        var audit = await admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/audit?action=tenant.settings_updated");
        var row = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal(leaver.Email, row.GetProperty("actorEmail").GetString());
    }

    [Fact]
    public async Task Nobody_demotes_disables_or_deletes_themselves_and_a_duplicate_email_is_409()
    {
        var me = Host.Admin.UserId;
        Assert.Equal(HttpStatusCode.Conflict, (await Host.Admin.SendAsync(HttpMethod.Put, $"/api/users/{me}/role", new { role = "user" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Host.Admin.SendAsync(HttpMethod.Patch, $"/api/users/{me}", new { disabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Host.Admin.SendAsync(HttpMethod.Delete, $"/api/users/{me}")).StatusCode);

        var someone = await Host.NewUserAsync("dupe");
        using var duplicate = await Host.Admin.SendAsync(HttpMethod.Post, "/api/users", new { email = someone.Email.ToUpperInvariant(), password = "password-dupe" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
    }

    [Fact]
    public async Task A_global_role_change_applies_to_the_next_request_of_an_already_signed_in_user()
    {
        var second = await Host.NewUserAsync("secondadmin");
        Assert.Equal(HttpStatusCode.Forbidden, (await second.SendAsync(HttpMethod.Get, "/api/users")).StatusCode);

        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/users/{second.UserId}/role", new { role = "admin" });
        Assert.Equal(HttpStatusCode.OK, (await second.SendAsync(HttpMethod.Get, "/api/users")).StatusCode);
        // The new admin may not demote themselves either.
        await second.CallAsync(HttpMethod.Put, $"/api/users/{second.UserId}/role", new { role = "user" }, HttpStatusCode.Conflict);

        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/users/{second.UserId}/role", new { role = "user" });
        Assert.Equal(HttpStatusCode.Forbidden, (await second.SendAsync(HttpMethod.Get, "/api/users")).StatusCode);
    }

    [Fact]
    public async Task The_users_page_searches_by_address_name_or_username_and_counts_all_matches()
    {
        var marker = "pg" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 12; i++)
        {
            await Host.Admin.CallAsync(HttpMethod.Post, "/api/users", new { email = $"{marker}-{i:00}@nexus.test", password = "password-page" }, HttpStatusCode.Created);
        }

        var page1 = await Host.Admin.CallAsync(HttpMethod.Get, $"/api/users?search={marker}&page=1");
        var page2 = await Host.Admin.CallAsync(HttpMethod.Get, $"/api/users?search={marker}&page=2");
        Assert.Equal(12, page1.GetProperty("total").GetInt32());
        Assert.Equal(10, page1.GetProperty("items").GetArrayLength());
        Assert.Equal(2, page2.GetProperty("items").GetArrayLength());
        Assert.Equal($"{marker}-11@nexus.test", page2.GetProperty("items")[1].GetProperty("email").GetString());
    }
}
