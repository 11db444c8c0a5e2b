using System.Net;
using Nexus.Tests.Live;
using Nexus.Tests.Servers;
using Nexus.Tests.Support;

namespace Nexus.Tests.Observability;

/// <summary><c>GET /metrics</c> on the host's own port: Nexus's meters and the runtime's, for allowed networks only.</summary>
[Collection(ObservabilityCollection.Name)]
public sealed class MetricsEndpointTests(MetricsEndpointTests.World world) : IClassFixture<MetricsEndpointTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal ServerTestWorld Host { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Host = await ServerTestWorld.StartAsync(simulator: true, "--Nexus:Credentials:Keys:k1=" + ServerTestWorld.NewKey());

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private ServerTestWorld Host => world.Host;

    [Fact]
    public async Task Polling_a_server_shows_in_the_poll_counter_request_duration_buckets_and_learned_timeouts()
    {
        var before = (await ScrapeAsync()).Sum("nexus_server_polls_total", ("outcome", "success"));
        var tenant = await Host.NewTenantAsync("Metrics");
        var server = await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("pve-metrics"));

        PrometheusText scrape = null!;
        await Eventually.TrueAsync(async () =>
        {
            scrape = await ScrapeAsync();
            return scrape.Sum("nexus_server_polls_total", ("outcome", "success")) > before
                && scrape.Samples("nexus_proxmox_request_duration_seconds_count", ("server_id", server.ToString())).Count > 0;
        }, TimeSpan.FromSeconds(30), () => "the server's first poll is counted");

        var id = ("server_id", server.ToString());
        var buckets = scrape.Samples("nexus_proxmox_request_duration_seconds_bucket", id, ("endpoint", "primary"), ("request_class", "list"), ("outcome", "success"));
        Assert.True(buckets.Count > 5, scrape.Text);
        Assert.Contains(buckets, b => b.Labels["le"] == "+Inf" && b.Value >= 1);
        // Cumulative buckets: each holds at least as many calls as the one below it.
        var counts = buckets.Select(b => b.Value).ToList();
        Assert.Equal(counts.Order(), counts);
        var timeout = Assert.Single(scrape.Samples("nexus_proxmox_learned_timeout_seconds", id, ("endpoint", "primary"), ("request_class", "list")));
        Assert.InRange(timeout.Value, 0.25, 60);
        // Bounded labels: the server's id, never its name or address.
        var proxmoxLines = scrape.Text.Split('\n').Where(l => l.StartsWith("nexus_proxmox_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(proxmoxLines);
        Assert.DoesNotContain(proxmoxLines, l => l.Contains("pve-metrics", StringComparison.Ordinal) || l.Contains(Host.Cluster.PrimaryUrl.Host, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_runtime_meter_and_orleans_are_exported_beside_nexus()
    {
        var scrape = await ScrapeAsync();
        Assert.True(scrape.Sum("dotnet_gc_heap_total_allocated_bytes_total") > 0, scrape.Text);
        Assert.Contains("# TYPE nexus_server_polls_total counter", scrape.Text, StringComparison.Ordinal);
        Assert.Contains(scrape.Text.Split('\n'), l => l.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.Contains(scrape.Text.Split('\n'), l => l.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hub_connections_go_up_while_a_client_is_connected_and_down_when_it_leaves()
    {
        var before = (await ScrapeAsync()).Sum("nexus_hub_connections");
        await using (var client = await LiveClient.ConnectAsync(Host.Http.BaseAddress!, Host.Admin.AccessToken!))
        {
            await EventuallyValueAsync("nexus_hub_connections", before + 1, "the connection is counted");
        }
        await EventuallyValueAsync("nexus_hub_connections", before, "the closed connection is no longer counted");
    }

    [Fact]
    public async Task Events_delivered_to_a_watching_client_show_in_the_live_lag_histogram_of_both_stages()
    {
        var tenant = await Host.NewTenantAsync("Lag");
        var before = await ScrapeAsync();
        double Count(PrometheusText scrape, string stage) => scrape.Sum("nexus_live_event_lag_seconds_count", ("stage", stage));
        await using (var client = await LiveClient.ConnectAsync(Host.Http.BaseAddress!, Host.Admin.AccessToken!))
        {
            await client.JoinAsync(tenant);
            // Registering a server publishes on the tenant's stream (its status, then its guests).
            await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("pve-lag"));
            await client.WaitForAsync(_ => true, TimeSpan.FromSeconds(30), "an event of the tenant");
        }
        // The other tests count hub connections: leave none behind.
        await EventuallyValueAsync("nexus_hub_connections", before.Sum("nexus_hub_connections"), "the lag test's connection is closed");

        PrometheusText scrape = null!;
        await Eventually.TrueAsync(async () =>
        {
            scrape = await ScrapeAsync();
            return Count(scrape, "received") > Count(before, "received") && Count(scrape, "sent") > Count(before, "sent");
        }, TimeSpan.FromSeconds(30), () => "the delivered events are counted at both stages");
        // The buckets are Nexus's own (tens of milliseconds apart near the 250 ms target), not OpenTelemetry's defaults.
        var buckets = scrape.Samples("nexus_live_event_lag_seconds_bucket", ("stage", "sent"));
        Assert.Contains(buckets, b => b.Labels["le"] == "0.075");
        Assert.Contains(buckets, b => b.Labels["le"] == "0.25");
        var counts = buckets.Select(b => b.Value).ToList();
        Assert.Equal(counts.Order(), counts);
    }

    [Fact]
    public async Task A_scrape_from_outside_the_metrics_networks_is_not_found()
    {
        using (var allowed = await Host.Http.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        // Loopback is the default trusted proxy: the address it forwards is the client's, and that one is not allowed.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var refused = await Host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("nexus_", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task EventuallyValueAsync(string metric, double expected, string what)
    {
        var last = double.NaN;
        await Eventually.TrueAsync(async () =>
        {
            last = (await ScrapeAsync()).Sum(metric);
            return last == expected;
        }, TimeSpan.FromSeconds(30), () => $"{what} ({metric} = {expected}; last {last})");
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await Host.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new PrometheusText(await response.Content.ReadAsStringAsync());
    }
}
