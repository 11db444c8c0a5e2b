using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nexus.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Web.Tests;

/// <summary>
/// The web client runs under a Content-Security-Policy that allows only its own files, and Chromium enforces it: the
/// app works without a single violation, while a script injected into the page is refused.
/// </summary>
[Collection(WebHostCollection.Name)]
public sealed partial class SecurityHeadersTests(WebHostFixture host)
{
    private readonly HttpClient _http = new() { BaseAddress = host.BaseAddress };

    [Theory]
    [InlineData("/")]
    [InlineData("/t/3f2504e0-4f89-11d3-9a0c-0305e82c3301/servers")]
    [InlineData("asset")]
    [InlineData("/api/me")]
    [InlineData("/api/no-such-thing")]
    public async Task Every_response_carries_the_policy_nosniff_and_no_referrer(string path)
    {
        if (path == "asset")
        {
            path = ScriptSource().Match(await _http.GetStringAsync(new Uri("/", UriKind.Relative))).Groups[1].Value;
        }

        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));

        var csp = Directives(Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("'self'", csp["default-src"]);
        Assert.Equal("'self'", csp["script-src"]);
        Assert.Equal("'self'", csp["connect-src"]);
        Assert.Equal("'self' data: blob:", csp["img-src"]);
        Assert.Equal("'none'", csp["frame-ancestors"]);
        Assert.Equal("'self'", csp["base-uri"]);
        Assert.Equal("'none'", csp["object-src"]);
        Assert.DoesNotContain(csp.Values, v => v.Contains("unsafe", StringComparison.Ordinal));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task Built_index_html_has_no_inline_script_or_style()
    {
        var index = await _http.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.DoesNotMatch(new Regex("<script(?![^>]*\\bsrc=)[^>]*>", RegexOptions.IgnoreCase), index);
        Assert.DoesNotMatch(new Regex("<style|\\sstyle=|\\son[a-z]+=", RegexOptions.IgnoreCase), index);
    }

    [Fact]
    public async Task App_runs_under_the_policy_and_an_injected_script_is_refused()
    {
        SetDefaultExpectTimeout(20_000);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(host.BaseAddress);
        var document = await page.GotoAsync("/login");
        Assert.Contains("frame-ancestors 'none'", await document!.HeaderValueAsync("content-security-policy") ?? "", StringComparison.Ordinal);

        await page.GetByLabel("Email").FillAsync(WebHostFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync(WebHostFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a tenant", Exact = true })).ToBeVisibleAsync();
        Assert.Empty(browser.CspViolations);

        // What an XSS would try: an inline script, and a script from elsewhere. Both are refused and reported.
        var ran = await page.EvaluateAsync<bool>("""
            () => {
              const inline = document.createElement('script');
              inline.textContent = 'window.injectedRan = true';
              document.head.appendChild(inline);
              const remote = document.createElement('script');
              remote.src = 'https://203.0.113.7/x.js';
              document.head.appendChild(remote);
              return window.injectedRan === true;
            }
            """);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a tenant", Exact = true })).ToBeVisibleAsync();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (browser.CspViolations.Count(v => v.StartsWith("CSP violation", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(ran);
        Assert.Contains(browser.CspViolations, v => v.Contains("script-src-elem blocked inline", StringComparison.Ordinal));
        Assert.Contains(browser.CspViolations, v => v.Contains("blocked https://203.0.113.7/x.js", StringComparison.Ordinal));
        await Browser.ScreenshotAsync(page, "40-csp");
    }

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "");

    [GeneratedRegex("<script type=\"module\" crossorigin src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
