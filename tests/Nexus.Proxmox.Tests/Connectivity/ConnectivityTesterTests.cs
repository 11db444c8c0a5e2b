using System.Net;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connectivity;
using Nexus.Proxmox.Tests.Support;
using Nexus.Proxmox.Timeouts;
using Nexus.Simulator.Faults;

namespace Nexus.Proxmox.Tests.Connectivity;

public sealed class ConnectivityTesterTests : PerTestSimulator
{
    private static readonly TimeSpan StageTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_healthy_server_reports_every_stage_the_version_the_node_count_and_a_recommended_timeout()
    {
        var report = await ConnectivityTester.TestAsync(Simulated.Config(Cluster), CancellationToken.None);

        Assert.True(report.Success, report.Error);
        Assert.Null(report.FailedStage);
        Assert.Equal(TimeSpan.Zero, report.Timings.Dns);
        Assert.True(report.Timings.TcpConnect > TimeSpan.Zero);
        Assert.True(report.Timings.TlsHandshake > TimeSpan.Zero);
        Assert.True(report.Timings.FirstByte > TimeSpan.Zero);
        Assert.True(report.Timings.Total >= report.Timings.TcpConnect + report.Timings.TlsHandshake + report.Timings.FirstByte);
        Assert.Equal(IPAddress.Loopback, report.ResolvedAddress);
        Assert.Equal("9.2.11", report.ProxmoxVersion);
        Assert.Equal(2, report.NodeCount);
        Assert.Equal(200, report.HttpStatus);
        Assert.Equal(Cluster.Fingerprint(Cluster.Primary.Node), report.Certificate!.Fingerprint);
        Assert.Equal(2 + ConnectivityTester.ExtraSamples, report.LatencySamples);
        // Loopback latency is far below the read floor, so the recommendation is the floor — or a little above it when
        // a sample on a loaded machine is slow; never below it, never anywhere near the prototype's 10 s.
        Assert.InRange(report.RecommendedTimeout, TimeoutPolicy.Read.Floor, TimeSpan.FromSeconds(2));
        Assert.False(report.IsSecondary);
    }

    [Fact]
    public async Task A_host_name_is_resolved_and_timed()
    {
        var config = Simulated.Config(Cluster) with { Primary = new ProxmoxEndpoint("localhost", Cluster.Primary.EndPoint.Port) };

        var report = await ConnectivityTester.TestAsync(config, CancellationToken.None);

        Assert.True(report.Success, report.Error);
        Assert.NotNull(report.Timings.Dns);
        Assert.True(IPAddress.IsLoopback(report.ResolvedAddress!));
    }

    [Fact]
    public async Task Added_latency_shows_in_the_first_byte_and_raises_the_recommendation()
    {
        Cluster.Primary.Faults.Set(new FaultSettings { LatencyKind = LatencyKind.Fixed, Latency = TimeSpan.FromMilliseconds(700) });

        var policy = new TimeoutPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));

        var report = await ConnectivityTester.TestAsync(Simulated.Config(Cluster), Simulated.PrimaryOf(Cluster), TimeSpan.FromSeconds(5), policy, CancellationToken.None);

        Assert.True(report.Success, report.Error);
        Assert.True(report.Timings.FirstByte >= TimeSpan.FromMilliseconds(650), $"{report.Timings.FirstByte}");
        Assert.True(report.Timings.TcpConnect < TimeSpan.FromMilliseconds(500));
        // SRTT ≈ 700 ms plus the 4·RTTVAR margin that a handful of samples leaves (wider on a loaded machine, where
        // a sample or two runs late), far below the 10 s start value.
        Assert.InRange(report.RecommendedTimeout, TimeSpan.FromMilliseconds(750), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_unresolvable_name_fails_at_dns()
    {
        var config = Simulated.Config(Cluster) with { Primary = new ProxmoxEndpoint("pve.nonexistent.invalid") };

        var report = await ConnectivityTester.TestAsync(config, CancellationToken.None);

        Assert.False(report.Success);
        Assert.Equal(ConnectivityStage.Dns, report.FailedStage);
        Assert.Null(report.Timings.TcpConnect);
    }

    [Fact]
    public async Task A_refused_connection_fails_at_tcp()
    {
        Cluster.Primary.Faults.Set(new FaultSettings { RefuseConnections = true });

        var report = await ConnectivityTester.TestAsync(Simulated.Config(Cluster), CancellationToken.None);

        Assert.Equal(ConnectivityStage.Tcp, report.FailedStage);
        Assert.Contains("ConnectionRefused", report.Error, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, report.Timings.Dns);
    }

    [Fact]
    public async Task A_server_that_never_handshakes_fails_at_tls_after_the_stage_timeout()
    {
        Cluster.Primary.Faults.Set(new FaultSettings { Hang = true });

        var report = await ConnectivityTester.TestAsync(Simulated.Config(Cluster), Simulated.PrimaryOf(Cluster), StageTimeout, null, CancellationToken.None);

        Assert.Equal(ConnectivityStage.Tls, report.FailedStage);
        Assert.NotNull(report.Timings.TcpConnect);
        Assert.Contains("no answer within", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pin_mismatch_fails_at_tls_and_shows_the_presented_certificate()
    {
        var newFingerprint = Cluster.RotateCertificate(Cluster.Primary.Node);

        var report = await ConnectivityTester.TestAsync(Simulated.Config(Cluster, trust: ProxmoxTrust.Pinned(string.Join(':', Enumerable.Repeat("00", 32)))), CancellationToken.None);

        Assert.Equal(ConnectivityStage.Tls, report.FailedStage);
        Assert.Equal(newFingerprint, report.Certificate!.Fingerprint);
    }

    [Fact]
    public async Task A_bad_token_fails_at_auth()
    {
        var report = await ConnectivityTester.TestAsync(
            Simulated.Config(Cluster, token: "root@pam!nexus=11111111-2222-3333-4444-555555555555"), CancellationToken.None);

        Assert.Equal(ConnectivityStage.Auth, report.FailedStage);
        Assert.Equal(401, report.HttpStatus);
        Assert.Contains("Authentication failed!", report.Error, StringComparison.Ordinal);
        Assert.NotNull(report.Timings.FirstByte);
    }

    [Fact]
    public async Task A_server_error_fails_at_http()
    {
        Cluster.Primary.Faults.Set(new FaultSettings { ErrorRate = 1, ErrorStatusCode = 503 });

        var report = await ConnectivityTester.TestAsync(Simulated.Config(Cluster), CancellationToken.None);

        Assert.Equal(ConnectivityStage.Http, report.FailedStage);
        Assert.Equal(503, report.HttpStatus);
    }

    [Fact]
    public async Task The_secondary_endpoint_can_be_tested_on_its_own()
    {
        var config = Simulated.Config(Cluster);

        var report = await ConnectivityTester.TestAsync(config, config.Secondary!, StageTimeout, null, CancellationToken.None);

        Assert.True(report.Success, report.Error);
        Assert.True(report.IsSecondary);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), report.ResolvedAddress);
    }
}
