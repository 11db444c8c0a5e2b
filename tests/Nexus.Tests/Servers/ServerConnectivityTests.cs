using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Grains.Servers;
using Nexus.Proxmox.Configuration;
using Nexus.Tests.Support;

namespace Nexus.Tests.Servers;

/// <summary>The connectivity test and the grains' configuration source, against the simulator over HTTPS.</summary>
public sealed class ServerConnectivityTests(ServerConnectivityTests.World world) : IClassFixture<ServerConnectivityTests.World>
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
    public async Task A_good_server_passes_every_stage_with_its_version_node_count_and_timeouts()
    {
        var tenant = await Host.NewTenantAsync("Good");
        var id = await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("good"));
        var report = await Host.Admin.CallAsync(HttpMethod.Post, $"/api/servers/{id}/test");
        Assert.True(report.GetProperty("success").GetBoolean(), ServerTestWorld.Text(report));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, report.GetProperty("failedStage").ValueKind);
        var timing = report.GetProperty("timing");
        foreach (var stage in new[] { "dnsMs", "tcpConnectMs", "tlsHandshakeMs", "firstByteMs" })
        {
            Assert.True(timing.GetProperty(stage).GetDouble() >= 0, stage);
        }
        Assert.True(timing.GetProperty("totalMs").GetDouble() >= timing.GetProperty("tlsHandshakeMs").GetDouble());
        Assert.False(string.IsNullOrEmpty(report.GetProperty("proxmoxVersion").GetString()));
        Assert.Equal(3, report.GetProperty("nodeCount").GetInt32());
        Assert.Equal(10000, report.GetProperty("currentTimeoutMs").GetDouble());
        Assert.True(report.GetProperty("recommendedTimeoutMs").GetDouble() > 0);
        Assert.Equal("primary", report.GetProperty("connectionType").GetString());
        Assert.Equal(1L, await Host.ScalarAsync<long>(
            "SELECT count(*) FROM nexus.connection_metrics WHERE server_id = @id AND kind = 'probe' AND success", ("id", id)));
    }

    [Fact]
    public async Task A_refused_port_fails_at_tcp_and_a_wrong_token_fails_at_auth()
    {
        var tenant = await Host.NewTenantAsync("Failing");
        var refused = await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("refused", port: FreePort.Next()));
        var report = await Host.Admin.CallAsync(HttpMethod.Post, $"/api/servers/{refused}/test");
        Assert.False(report.GetProperty("success").GetBoolean());
        Assert.Equal("tcp", report.GetProperty("failedStage").GetString());
        Assert.Equal(1L, await Host.ScalarAsync<long>(
            "SELECT count(*) FROM nexus.connection_metrics WHERE server_id = @id AND kind = 'probe' AND NOT success", ("id", refused)));

        var wrongToken = await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("wrong-token", token: "root@pam!nexus=00000000-0000-0000-0000-000000000000"));
        report = await Host.Admin.CallAsync(HttpMethod.Post, $"/api/servers/{wrongToken}/test");
        Assert.Equal("auth", report.GetProperty("failedStage").GetString());
        Assert.Equal(401, report.GetProperty("httpStatus").GetInt32());
    }

    [Fact]
    public async Task After_the_certificate_is_renewed_the_test_fails_at_tls_showing_the_new_fingerprint_until_it_is_re_pinned()
    {
        var tenant = await Host.NewTenantAsync("Renewed");
        var id = await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("renewed"));
        var renewed = Host.Cluster.RotateCertificate(Host.Cluster.NodeNames[0]);

        var report = await Host.Admin.CallAsync(HttpMethod.Post, $"/api/servers/{id}/test");
        Assert.Equal("tls", report.GetProperty("failedStage").GetString());
        Assert.Equal(renewed, report.GetProperty("certificate").GetProperty("fingerprint").GetString());

        await Host.Admin.CallAsync(HttpMethod.Patch, $"/api/servers/{id}", new { trust = new { mode = "pinned", fingerprints = new[] { renewed } } });
        report = await Host.Admin.CallAsync(HttpMethod.Post, $"/api/servers/{id}/test");
        Assert.True(report.GetProperty("success").GetBoolean(), ServerTestWorld.Text(report));
        Assert.Contains("trust", ServerTestWorld.Text(await Host.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/audit")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probing_a_closed_port_is_502_and_probing_is_for_those_who_may_add_servers()
    {
        var viewer = await Host.NewUserAsync("probeviewer");
        await Host.AddMemberAsync(await Host.NewTenantAsync("Probing"), viewer.UserId, "viewer");
        await viewer.CallAsync(HttpMethod.Post, "/api/servers/probe-certificate", new { host = "127.0.0.1", port = Host.Endpoint().Port }, HttpStatusCode.Forbidden);
        await Host.Admin.CallAsync(HttpMethod.Post, "/api/servers/probe-certificate", new { host = "127.0.0.1", port = FreePort.Next() }, HttpStatusCode.BadGateway);
        await Host.Admin.CallAsync(HttpMethod.Post, "/api/servers/probe-certificate", new { host = "not a host", port = 8006 }, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_config_source_loads_the_server_with_its_token_and_the_tenants_settings_and_follows_edits()
    {
        var tenant = await Host.NewTenantAsync("Source");
        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new
        {
            pollIntervalSeconds = 7, alertSuccessRateThreshold = 90, alertLatencyThresholdMs = 900, alertOfflineDurationSeconds = 30,
            notifyOnServerOffline = false,
        });
        var (host, port, token, fingerprint) = Host.Endpoint();
        var created = await Host.Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers", new
        {
            name = "source", host, port, apiToken = token, secondaryHost = "pve.tail0001.ts.net", secondaryPort = 8443,
            trust = new { mode = "pinned", fingerprints = new[] { fingerprint } },
        }, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var source = Host.Services.GetRequiredService<IServerConfigSource>();

        var config = await source.LoadAsync(id, CancellationToken.None);
        Assert.NotNull(config);
        Assert.Equal(tenant, config.TenantId);
        Assert.True(config.IsActive);
        Assert.Equal(TimeSpan.FromSeconds(7), config.PollInterval);
        Assert.Equal(new ServerHealthThresholds(90, 900, TimeSpan.FromSeconds(30), false), config.Thresholds);
        Assert.Equal(new ProxmoxEndpoint(host, port), config.Proxmox.Primary);
        Assert.Equal(new ProxmoxEndpoint("pve.tail0001.ts.net", 8443), config.Proxmox.Secondary);
        Assert.Equal(ProxmoxTrust.Pinned(fingerprint), config.Proxmox.Trust);
        Assert.Equal("root@pam!nexus", config.Proxmox.Token.TokenId);
        Assert.Contains(id, await source.ListActiveAsync(CancellationToken.None));

        await Host.Admin.CallAsync(HttpMethod.Patch, $"/api/servers/{id}", new { isActive = false, pollIntervalSeconds = 20 });
        config = await source.LoadAsync(id, CancellationToken.None);
        Assert.False(config!.IsActive);
        Assert.Equal(TimeSpan.FromSeconds(20), config.PollInterval);
        Assert.DoesNotContain(id, await source.ListActiveAsync(CancellationToken.None));

        await Host.Admin.CallAsync(HttpMethod.Delete, $"/api/servers/{id}", null, HttpStatusCode.NoContent);
        Assert.Null(await source.LoadAsync(id, CancellationToken.None));
    }
}
