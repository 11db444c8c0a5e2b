using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nexus.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Web.Tests;

/// <summary>
/// A user signed in on two devices signs out everywhere from the profile page: both are signed out, the other
/// device's open dashboard goes to the sign-in page at once (not when its access token expires), and signing in
/// again works.
/// </summary>
[Collection(WebHostCollection.Name)]
public sealed class SessionJourneyTests(WebHostFixture host, ITestOutputHelper output)
{
    private const string Email = "sam@sessions-e2e.test";
    private const string Password = "Sessions-password-1";
    private const string NewPassword = "Sessions-password-2";

    [Fact]
    public async Task Signing_out_everywhere_from_the_profile_ends_the_session_on_every_device()
    {
        SetDefaultExpectTimeout(20_000);
        var tenantId = await SetUpAsync();
        await using var browser = await Browser.LaunchAsync();
        var laptop = await browser.NewPageAsync(host.BaseAddress);
        var phone = await browser.NewPageAsync(host.BaseAddress);
        await SignInAsync(laptop);
        await SignInAsync(phone);

        // The phone has the tenant's dashboard open, with live updates on.
        await phone.GotoAsync($"/t/{tenantId}/vms");
        await Expect(phone.GetByRole(AriaRole.Status, new() { Name = "Live updates: on" })).ToBeVisibleAsync();

        // On the laptop: Profile → Sign out everywhere ends this session with a message saying what happened.
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Sam Sessions" }).ClickAsync();
        await laptop.GetByRole(AriaRole.Menuitem, new() { Name = "Profile" }).ClickAsync();
        await Expect(laptop.GetByRole(AriaRole.Heading, new() { Name = "Sessions", Exact = true })).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(laptop, "40-profile-sessions");
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere" }).ClickAsync();
        await Expect(laptop.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Nexus", Exact = true })).ToBeVisibleAsync();
        await Expect(laptop.GetByText("You were signed out on every device.")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(laptop, "41-signed-out-everywhere");

        // The phone's open dashboard learns at once (its live view is revoked, and its session cannot be renewed)
        // and shows the sign-in page by itself; a reload stays there.
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Nexus", Exact = true })).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Browser.ScreenshotAsync(phone, "42-other-device-signed-out");
        await phone.GotoAsync($"/t/{tenantId}/vms");
        await Expect(phone).ToHaveURLAsync(new Regex("/login$"));

        // Signing in again works.
        await SignInAsync(laptop);
        var hubSockets = 0;
        laptop.WebSocket += (_, socket) =>
        {
            if (socket.Url.Contains("/hubs/live", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref hubSockets);
            }
        };
        await laptop.GotoAsync($"/t/{tenantId}/vms");
        await Expect(laptop.GetByRole(AriaRole.Status, new() { Name = "Live updates: on" })).ToBeVisibleAsync();
        Assert.Equal(1, Volatile.Read(ref hubSockets));

        // A password change in another tab of the same browser ends the dashboard tab's token too; the tab renews
        // it from the shared cookie and joins again with a new connection instead of staying at "no access".
        var otherTab = await laptop.Context.NewPageAsync();
        await otherTab.GotoAsync("/profile");
        await otherTab.GetByLabel("Current password").FillAsync(Password);
        await otherTab.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
        await otherTab.GetByLabel("Repeat the new password").FillAsync(NewPassword);
        await otherTab.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(otherTab.GetByRole(AriaRole.Status).Filter(new() { HasText = "Password changed." })).ToBeVisibleAsync();
        for (var waited = 0; Volatile.Read(ref hubSockets) < 2; waited += 100)
        {
            Assert.True(waited < 10_000, "the dashboard tab did not connect again within 10 s");
            await Task.Delay(100);
        }
        await Expect(laptop.GetByRole(AriaRole.Status, new() { Name = "Live updates: on" })).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(laptop, "43-rejoined-after-password-change");
        Assert.Empty(browser.CspViolations);
        output.WriteLine($"Screenshots: {Browser.ScreenshotFolder}");
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("Email").FillAsync(Email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex("/login$"));
    }

    /// <summary>A tenant with the user as a viewer; no server is needed for its live view.</summary>
    private async Task<string> SetUpAsync()
    {
        using var admin = await ApiSession.SignInAsync(host.BaseAddress, WebHostFixture.AdminEmail, WebHostFixture.AdminPassword);
        var tenant = await admin.PostAsync("/api/tenants", new { name = "Sessions journey", description = "Two devices." });
        var tenantId = tenant.GetProperty("id").GetString()!;
        var user = await admin.PostAsync("/api/users", new { email = Email, password = Password, fullName = "Sam Sessions", globalRole = "user" });
        await admin.PutAsync($"/api/tenants/{tenantId}/members/{user.GetProperty("id").GetString()}", new { role = "viewer" });
        return tenantId;
    }
}
