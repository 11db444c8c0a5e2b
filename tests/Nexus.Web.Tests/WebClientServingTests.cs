using System.Net;
using System.Text.RegularExpressions;
using Nexus.Web.Tests.Support;

namespace Nexus.Web.Tests;

/// <summary>How the host serves the built client: SPA fallback, cache headers, API 404s untouched.</summary>
[Collection(WebHostCollection.Name)]
public sealed partial class WebClientServingTests(WebHostFixture host)
{
    private readonly HttpClient _http = new() { BaseAddress = host.BaseAddress };

    [Fact]
    public async Task Client_route_is_answered_with_index_html_that_is_revalidated()
    {
        using var response = await _http.GetAsync(new Uri("/t/3f2504e0-4f89-11d3-9a0c-0305e82c3301/settings", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Contains("<div id=\"root\"></div>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hashed_assets_are_cached_for_a_year_as_immutable()
    {
        var index = await _http.GetStringAsync(new Uri("/", UriKind.Relative));
        var script = ScriptSource().Match(index).Groups[1].Value;
        Assert.StartsWith("/assets/", script, StringComparison.Ordinal);

        using var response = await _http.GetAsync(new Uri(script, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Unknown_api_path_stays_a_problem_details_404()
    {
        using var response = await _http.GetAsync(new Uri("/api/no-such-thing", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Missing_asset_is_404_not_the_app()
    {
        using var response = await _http.GetAsync(new Uri("/assets/missing-0000.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [GeneratedRegex("<script type=\"module\" crossorigin src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
