using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nexus.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Web.Tests;

/// <summary>
/// The bootstrap admin's first session, in real headless Chromium against a running host: sign in, set up a
/// tenant with a member and its branding, read the audit log, sign out. Each step leaves a screenshot.
/// </summary>
[Collection(WebHostCollection.Name)]
public sealed class AdminJourneyTests(WebHostFixture host, ITestOutputHelper output)
{
    private const string DefaultPrimary = "rgb(31, 78, 140)";

    [Fact]
    public async Task Admin_sets_up_a_branded_tenant_and_finds_it_in_the_audit_log()
    {
        SetDefaultExpectTimeout(20_000);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(host.BaseAddress);
        var scripts = new List<IResponse>();
        page.Response += (_, response) =>
        {
            if (response.Url.EndsWith(".js", StringComparison.Ordinal))
            {
                lock (scripts) { scripts.Add(response); }
            }
        };
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (problems) { problems.Add(message.Text); }
            }
        };

        // 1. Signed out: any address leads to the login page.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Nexus", Exact = true })).ToBeVisibleAsync();
        await ReportInitialJavaScriptAsync(scripts);
        await Browser.ScreenshotAsync(page, "01-login");

        // 2. A wrong password shows the server's message.
        await page.GetByLabel("Email").FillAsync(WebHostFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The email address or the password is wrong.");
        await Browser.ScreenshotAsync(page, "02-login-error");

        // 3. Signed in: the shell with the default colours; the dark theme changes the page background.
        await page.GetByLabel("Password").FillAsync(WebHostFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a tenant", Exact = true })).ToBeVisibleAsync();
        var header = page.Locator("header.app-header");
        await Expect(header).ToHaveCSSAsync("background-color", DefaultPrimary);
        await Browser.ScreenshotAsync(page, "03-dashboard");
        await page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" }).ClickAsync();
        await Expect(page.Locator("body")).ToHaveCSSAsync("background-color", "rgb(21, 23, 27)");
        await Browser.ScreenshotAsync(page, "03b-dark-theme");
        await page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" }).ClickAsync();
        await Expect(page.Locator("body")).ToHaveCSSAsync("background-color", "rgb(245, 246, 248)");

        // 4. Administration: a user to add to the tenant.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Administration", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Exact = true })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByLabel("Email")).ToBeFocusedAsync();
        await dialog.GetByLabel("Email").FillAsync("member@e2e.test");
        await dialog.GetByLabel("Initial password").FillAsync("Member-password-1");
        await dialog.GetByLabel("Full name").FillAsync("Mia Member");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "member@e2e.test", Exact = true })).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "04-user-created");

        // 5. A tenant.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByRole(AriaRole.Link, new() { Name = "Tenants", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await dialog.GetByLabel("Name").FillAsync("Acme Corp");
        await dialog.GetByLabel("Description").FillAsync("Created by the browser test.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "acme-corp", Exact = true })).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "05-tenant-created");

        // 6. Into the tenant: add the member found by search.
        await page.GetByRole(AriaRole.Link, new() { Name = "Acme Corp", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Corp", Exact = true })).ToBeVisibleAsync();
        await Expect(header).ToContainTextAsync("Acme Corp");
        var tenantNav = page.GetByRole(AriaRole.Navigation, new() { Name = "Tenant" });
        await tenantNav.GetByRole(AriaRole.Link, new() { Name = "Members", Exact = true }).ClickAsync();
        await page.GetByLabel("Find a user").FillAsync("member");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member@e2e.test as viewer" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "member@e2e.test", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Role of member@e2e.test")).ToHaveValueAsync("viewer");
        await Browser.ScreenshotAsync(page, "06-member-added");

        // 7. Branding: the primary colour repaints the whole UI (the header and the primary buttons).
        await tenantNav.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true }).ClickAsync();
        await page.GetByLabel("Primary colour").FillAsync("#aa3300");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Settings saved." })).ToBeVisibleAsync();
        await Expect(header).ToHaveCSSAsync("background-color", "rgb(170, 51, 0)");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save settings" })).ToHaveCSSAsync("background-color", "rgb(170, 51, 0)");
        await Expect(header).ToHaveCSSAsync("color", "rgb(255, 255, 255)");
        await Browser.ScreenshotAsync(page, "07-branding");

        // 8. A logo (a PNG cut from the page itself) shows in the header and in the settings.
        var png = await page.ScreenshotAsync(new PageScreenshotOptions { Clip = new Clip { X = 0, Y = 0, Width = 48, Height = 40 } });
        await page.GetByLabel("Upload a logo").SetInputFilesAsync(new FilePayload { Name = "logo.png", MimeType = "image/png", Buffer = png });
        var logo = page.GetByRole(AriaRole.Img, new() { Name = "Acme Corp logo" });
        await Expect(logo).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Current logo" })).ToBeVisibleAsync();
        Assert.Equal(48, await logo.EvaluateAsync<int>("img => img.naturalWidth"));
        await Browser.ScreenshotAsync(page, "08-logo");

        // 9. The audit log lists what was done, and filters by action.
        await tenantNav.GetByRole(AriaRole.Link, new() { Name = "Audit log", Exact = true }).ClickAsync();
        var rows = page.Locator("table.audit tbody tr");
        foreach (var action in new[] { "tenant.logo_updated", "tenant.settings_updated", "tenant.member_added", "tenant.created" })
        {
            await Expect(rows.Filter(new() { HasText = action })).ToHaveCountAsync(1);
        }
        await Expect(rows.First).ToContainTextAsync(WebHostFixture.AdminEmail);
        await Browser.ScreenshotAsync(page, "09-audit");
        await page.GetByLabel("Action").FillAsync("tenant.member_added");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("member@e2e.test");
        await Browser.ScreenshotAsync(page, "10-audit-filtered");

        // 10. The Orleans Dashboard opens from Administration (a session cookie the API sets for it) and renders
        // its silo list under its Content-Security-Policy; the back button returns to Nexus, still signed in.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Administration", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByRole(AriaRole.Button, new() { Name = "Orleans Dashboard" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/orleans-dashboard/?$"));
        await Expect(page).ToHaveTitleAsync("Orleans Dashboard");
        await Expect(page.Locator("#menu a").First).ToBeVisibleAsync();
        await Expect(page.GetByText("Loading...")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "10b-orleans-dashboard");
        await page.GoBackAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Exact = true })).ToBeVisibleAsync();

        // 11. Sign out: back to the login page, and a reload does not sign in again (the refresh cookie is gone).
        await page.GetByRole(AriaRole.Button, new() { Name = "Administrator" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Nexus", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).Not.ToHaveAttributeAsync("style", new Regex("--brand-primary"));
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await Browser.ScreenshotAsync(page, "11-signed-out");

        output.WriteLine($"Screenshots: {Browser.ScreenshotFolder}");
        // The only console errors allowed are the failed requests the steps provoked (wrong password, no session).
        Assert.All(problems, p => Assert.Matches("401|Failed to load resource", p));
        Assert.Empty(browser.CspViolations);
    }

    /// <summary>The JavaScript Chromium fetched to show the first page, gzipped as a server would send it.</summary>
    private async Task ReportInitialJavaScriptAsync(List<IResponse> scripts)
    {
        IResponse[] initial;
        lock (scripts) { initial = [.. scripts]; }
        long raw = 0, gzipped = 0;
        foreach (var response in initial)
        {
            var body = await response.BodyAsync();
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                gzip.Write(body);
            }
            raw += body.Length;
            gzipped += buffer.Length;
            output.WriteLine($"initial script {new Uri(response.Url).AbsolutePath}: {body.Length} bytes, {buffer.Length} gzipped");
        }
        var line = $"Initial JavaScript: {initial.Length} file(s), {raw / 1024.0:F1} KiB, {gzipped / 1024.0:F1} KiB gzipped";
        output.WriteLine(line);
        Directory.CreateDirectory(Browser.ScreenshotFolder);
        await File.WriteAllTextAsync(Path.Combine(Browser.ScreenshotFolder, "initial-javascript.txt"), line + Environment.NewLine);
        Assert.True(gzipped < 200 * 1024, line);
    }
}
