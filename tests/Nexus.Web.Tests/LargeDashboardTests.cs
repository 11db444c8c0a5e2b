using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Nexus.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Web.Tests;

/// <summary>
/// Issue 8's figure, repeatable: in Chromium, the time from navigation to a usable dashboard of 5,000 VMs — the grid
/// shows rows and the search narrows it to a named VM. Written to the test output and to
/// <c>large-dashboard.txt</c> next to the screenshots, and bounded so the test fails when the dashboard stops being usable.
/// </summary>
[Collection(LargeEstateCollection.Name)]
public sealed class LargeDashboardTests(LargeEstateFixture estate, ITestOutputHelper output)
{
    private const int InteractiveBudgetMs = 5_000;

    [Fact]
    public async Task Dashboard_of_5000_guests_finds_a_named_vm_within_5_seconds_of_navigation()
    {
        SetDefaultExpectTimeout(20_000);
        var all = estate.Simulator.Clusters.SelectMany(c => c.Guests).ToList();
        Assert.Equal(LargeEstateFixture.GuestCount, all.Count);
        // Late in the second cluster, so the first screen of the name-sorted grid does not show it. The simulator names
        // guests alike in every cluster, so the search may rightly find one per cluster: the count says how many.
        var target = estate.Simulator.Clusters[^1].Guests.Last(g => g is { Template: false }).Name;
        var matching = all.Count(g => g.Name.Contains(target, StringComparison.OrdinalIgnoreCase));

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(estate.Host.BaseAddress);
        await page.GotoAsync("/login");
        await page.GetByLabel("Email").FillAsync(WebHostFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync(WebHostFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a tenant", Exact = true })).ToBeVisibleAsync();

        // Timed in the page (performance.now() counts from the navigation's start) and polled every 20 ms there:
        // an Expect backs off to 1 s between looks, which would blur the figure.
        var wall = Stopwatch.StartNew();
        await page.GotoAsync($"/t/{estate.TenantId}/vms", new() { WaitUntil = WaitUntilState.Commit });
        var rowsShownMs = await page.WaitForFunctionAsync(
            "() => document.querySelector('[role=grid][aria-label=\"Virtual machines\"] [data-vm]') ? performance.now() : false",
            null, new() { PollingInterval = 20, Timeout = 30_000 });
        await page.GetByLabel("Search").FillAsync(target);
        var filteredMs = await page.WaitForFunctionAsync(
            "([name, count]) => { const rows = document.querySelectorAll('[role=grid][aria-label=\"Virtual machines\"] [data-vm]');" +
            " return rows.length === count && [...rows].some(r => r.getAttribute('data-vm') === name) ? performance.now() : false; }",
            new object[] { target, matching }, new() { PollingInterval = 20, Timeout = 30_000 });
        var wallMs = wall.ElapsedMilliseconds;
        var rowsShown = (int)await rowsShownMs.JsonValueAsync<double>();
        var interactive = (int)await filteredMs.JsonValueAsync<double>();

        await Expect(page.GetByText($"{matching} of {LargeEstateFixture.GuestCount} guests")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Grid, new() { Name = "Virtual machines" }).Locator($"[data-vm='{target}']").First).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "40-large-dashboard");

        var line = string.Create(CultureInfo.InvariantCulture,
            $"Dashboard of {LargeEstateFixture.GuestCount} guests in Chromium: rows after {rowsShown} ms, search found '{target}' after " +
            $"{interactive} ms from navigation start ({wallMs} ms by the test's clock; host listed all guests " +
            $"{estate.Registration.TotalMilliseconds:F0} ms after registration)");
        output.WriteLine(line);
        Directory.CreateDirectory(Browser.ScreenshotFolder);
        await File.WriteAllTextAsync(Path.Combine(Browser.ScreenshotFolder, "large-dashboard.txt"), line + Environment.NewLine);

        Assert.True(interactive <= InteractiveBudgetMs, $"{line}; at most {InteractiveBudgetMs} ms.");
        Assert.Empty(browser.CspViolations);
    }
}
