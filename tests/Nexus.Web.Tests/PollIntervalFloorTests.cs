using System.Net;
using System.Text.Json;
using Nexus.Web.Tests.Support;

namespace Nexus.Web.Tests;

/// <summary>The test host lowers the operator's poll-interval floor (Nexus:Inventory:MinimumPollIntervalSeconds) to 1 s.</summary>
[Collection(WebHostCollection.Name)]
public sealed class PollIntervalFloorTests(WebHostFixture host)
{
    [Fact]
    public async Task Tenant_poll_interval_goes_down_to_the_operators_minimum_and_no_lower()
    {
        using var admin = await ApiSession.SignInAsync(host.BaseAddress, WebHostFixture.AdminEmail, WebHostFixture.AdminPassword);
        var tenant = await admin.PostAsync("/api/tenants", new { name = "Poll floor", description = "" });
        var settings = $"/api/tenants/{tenant.GetProperty("id").GetString()}/settings";

        var saved = await admin.PutAsync(settings, new { pollIntervalSeconds = 1 });
        using var refused = await admin.SendPutAsync(settings, new { pollIntervalSeconds = 0 });

        Assert.Equal(1, saved.GetProperty("pollIntervalSeconds").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Must be between 1 and 300.", problem.GetProperty("errors").GetProperty("pollIntervalSeconds")[0].GetString());
    }
}
