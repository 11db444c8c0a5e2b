using Microsoft.Playwright;

namespace Nexus.Web.Tests.Support;

/// <summary>Debian's Chromium (/usr/bin/chromium), headless, driven by Playwright; never a downloaded browser.</summary>
internal sealed class Browser : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<string> _cspViolations = [];

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    /// <summary>Where each step's screenshot goes: the test output folder.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task<Browser> LaunchAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: apt-get install chromium (./nexus test installs it).");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root in a container needs --no-sandbox; the rest keep Chromium off the (closed) network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
                "--disable-component-update", "--disable-sync"],
        });
        return new Browser(playwright, browser);
    }

    public async Task<IPage> NewPageAsync(Uri baseAddress)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            ColorScheme = ColorScheme.Light,
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(20_000);
        // Every page of every journey reports what the Content-Security-Policy blocked (Chromium logs it too, as
        // "Refused to … Content Security Policy"); a journey ends by checking that nothing was.
        await context.AddInitScriptAsync(
            "document.addEventListener('securitypolicyviolation', e => console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`));");
        context.Console += (_, message) =>
        {
            if (message.Text.StartsWith("CSP violation", StringComparison.Ordinal) || message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                lock (_cspViolations) { _cspViolations.Add(message.Text); }
            }
        };
        return await context.NewPageAsync();
    }

    /// <summary>What the Content-Security-Policy blocked on any page this browser opened, so far.</summary>
    public IReadOnlyList<string> CspViolations
    {
        get { lock (_cspViolations) { return [.. _cspViolations]; } }
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
