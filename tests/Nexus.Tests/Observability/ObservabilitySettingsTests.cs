using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Data;
using Nexus.Host.Observability;
using Nexus.Host.Startup;

namespace Nexus.Tests.Observability;

/// <summary>The settings of <c>Nexus:Observability</c>, the metrics network check and span redaction, without a host.</summary>
public sealed class ObservabilitySettingsTests
{
    [Theory]
    [InlineData("MetricsNetworks:0", "10.0.0.0/33", "Nexus:Observability:MetricsNetworks")]
    [InlineData("MetricsNetworks:0", "prometheus.internal", "Nexus:Observability:MetricsNetworks")]
    [InlineData("OtlpEndpoint", "collector:4317", "Nexus:Observability:OtlpEndpoint")]
    [InlineData("OtlpProtocol", "http/json", "Nexus:Observability:OtlpProtocol")]
    [InlineData("DashboardSessionLifetime", "2.00:00:00", "Nexus:Observability:DashboardSessionLifetime")]
    public void An_invalid_setting_stops_the_start_naming_it(string key, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"Nexus:Observability:{key}"] = value }).Build();
        var error = Assert.Throws<NexusStartupException>(() => StartupOptions.BindAndValidate<ObservabilityOptions>(configuration, ObservabilityOptions.Section));
        Assert.StartsWith(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_loopback_may_scrape_by_default()
    {
        var access = new MetricsAccess(new ObservabilityOptions().ParsedMetricsNetworks, NullLogger<MetricsAccess>.Instance);
        Assert.True(access.Allows(IPAddress.Loopback));
        Assert.True(access.Allows(IPAddress.Parse("127.0.0.53")));
        Assert.True(access.Allows(IPAddress.IPv6Loopback));
        Assert.True(access.Allows(IPAddress.Loopback.MapToIPv6()));
        Assert.False(access.Allows(IPAddress.Parse("10.0.0.9")));
        Assert.False(access.Allows(null));
    }

    [Fact]
    public void Configured_networks_replace_loopback_and_accept_single_addresses()
    {
        var options = new ObservabilityOptions { MetricsNetworks = ["10.42.0.0/16", "192.0.2.10", "fd00::/8"] };
        var access = new MetricsAccess(options.ParsedMetricsNetworks, NullLogger<MetricsAccess>.Instance);
        Assert.True(access.Allows(IPAddress.Parse("10.42.7.1")));
        Assert.True(access.Allows(IPAddress.Parse("192.0.2.10")));
        Assert.True(access.Allows(IPAddress.Parse("fd00::1")));
        Assert.False(access.Allows(IPAddress.Parse("192.0.2.11")));
        Assert.False(access.Allows(IPAddress.Loopback));
    }

    [Fact]
    public void Query_values_leave_a_span_before_any_exporter_sees_it()
    {
        using var span = new Activity("GET /hubs/live?access_token=secret-jwt");
        span.SetTag("url.query", "?id=abc&access_token=secret-jwt&flag");
        span.SetTag("url.full", "https://pve:8006/api2/json/nodes/n1/qemu/100/vncwebsocket?port=5900&vncticket=PVEVNC:secret");
        span.SetTag("url.path", "/hubs/live");

        new TelemetryRedaction().OnEnd(span);

        Assert.Equal("?id=Redacted&access_token=Redacted&Redacted", span.GetTagItem("url.query"));
        Assert.Equal("https://pve:8006/api2/json/nodes/n1/qemu/100/vncwebsocket?port=Redacted&vncticket=Redacted", span.GetTagItem("url.full"));
        Assert.Equal("/hubs/live", span.GetTagItem("url.path"));
        Assert.Equal("GET /hubs/live", span.DisplayName);
    }
}
