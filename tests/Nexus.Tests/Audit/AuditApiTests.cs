using System.Globalization;
using System.Net;
using System.Text.Json;
using Nexus.Tests.Web;

namespace Nexus.Tests.Audit;

/// <summary>The audit trail of state changes, its filters and paging, and the CSV export.</summary>
public sealed class AuditApiTests(AuditApiTests.World world) : IClassFixture<AuditApiTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal IdentityHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await IdentityHost.StartAsync("--Nexus:Auth:PerIpPermitLimit=100000");

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private IdentityHost Host => world.Host;

    [Fact]
    public async Task Each_state_change_writes_one_row_with_actor_target_outcome_details_address_and_agent()
    {
        var tenant = await Host.NewTenantAsync("Trail");
        var member = await Host.NewUserAsync("trailmember");
        await Host.AddMemberAsync(tenant, member.UserId, "viewer");
        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/members/{member.UserId}", new { role = "manager" });
        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new { alertLatencyThresholdMs = 700 });
        await Host.Admin.SendAsync(HttpMethod.Delete, $"/api/tenants/{tenant}/members/{member.UserId}");

        var items = (await Host.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/audit")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            ["tenant.member_removed", "tenant.settings_updated", "tenant.member_role_changed", "tenant.member_added", "tenant.created"],
            items.Select(i => i.GetProperty("action").GetString()));

        var settings = items[1];
        Assert.Equal(IdentityHost.AdminEmail, settings.GetProperty("actorEmail").GetString());
        Assert.Equal("success", settings.GetProperty("outcome").GetString());
        Assert.Equal("settings", settings.GetProperty("targetType").GetString());
        Assert.Equal("127.0.0.1", settings.GetProperty("clientIp").GetString());
        var change = settings.GetProperty("details").GetProperty("changes").GetProperty("alertLatencyThresholdMs");
        Assert.Equal(500, change.GetProperty("from").GetInt32());
        Assert.Equal(700, change.GetProperty("to").GetInt32());

        var roleChange = items[2];
        Assert.Equal(member.UserId.ToString(), roleChange.GetProperty("targetId").GetString());
        Assert.Equal("viewer", roleChange.GetProperty("details").GetProperty("from").GetString());
        Assert.Equal("manager", roleChange.GetProperty("details").GetProperty("to").GetString());
    }

    [Fact]
    public async Task The_log_filters_by_action_target_type_time_and_text_and_pages_newest_first()
    {
        var tenant = await Host.NewTenantAsync("Filters");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 5; i++)
        {
            await Host.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new { alertLatencyThresholdMs = 1000 + (i * 100) });
        }
        var path = $"/api/tenants/{tenant}/audit";

        var byAction = await Host.Admin.CallAsync(HttpMethod.Get, $"{path}?action=tenant.settings_updated");
        Assert.Equal(5, byAction.GetProperty("items").GetArrayLength());
        var byType = await Host.Admin.CallAsync(HttpMethod.Get, $"{path}?targetType=tenant");
        Assert.Equal("tenant.created", Assert.Single(byType.GetProperty("items").EnumerateArray()).GetProperty("action").GetString());
        var byText = await Host.Admin.CallAsync(HttpMethod.Get, $"{path}?search=Tenant%20settings");
        Assert.Equal(5, byText.GetProperty("items").GetArrayLength());
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture));
        Assert.Equal(0, (await Host.Admin.CallAsync(HttpMethod.Get, $"{path}?from={future}")).GetProperty("items").GetArrayLength());
        var since = Uri.EscapeDataString(before.ToString("O", CultureInfo.InvariantCulture));
        Assert.Equal(6, (await Host.Admin.CallAsync(HttpMethod.Get, $"{path}?from={since}")).GetProperty("items").GetArrayLength());

        var page1 = await Host.Admin.CallAsync(HttpMethod.Get, $"{path}?limit=4");
        var next = page1.GetProperty("nextBefore").GetInt64();
        var page2 = await Host.Admin.CallAsync(HttpMethod.Get, $"{path}?limit=4&before={next}");
        var ids = page1.GetProperty("items").EnumerateArray().Concat(page2.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(6, ids.Count);
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("nextBefore").ValueKind);

        using var badRange = await Host.Admin.SendAsync(HttpMethod.Get, $"{path}?from={future}&to={since}");
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);
    }

    [Fact]
    public async Task The_csv_export_is_an_attachment_whose_cells_cannot_run_as_spreadsheet_formulas()
    {
        var created = await Host.Admin.CallAsync(HttpMethod.Post, "/api/tenants", new { name = "=HYPERLINK(\"http://evil\")", slug = "csv-" + Guid.NewGuid().ToString("N")[..8] }, HttpStatusCode.Created);
        var tenant = created.GetProperty("id").GetGuid();

        using var response = await Host.Admin.SendAsync(HttpMethod.Get, $"/api/tenants/{tenant}/audit.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("attachment", response.Content.Headers.ContentDisposition?.ToString());
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,created_at,", lines[0]);
        var row = Assert.Single(lines.Skip(1));
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil\"\")\",", row);
        Assert.DoesNotContain(",=", row);
    }
}
