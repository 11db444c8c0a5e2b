using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using Nexus.Simulator.Faults;
using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.Faults;

/// <summary>Every test sets its faults and clears them again; they run one after another in this class.</summary>
public sealed class FaultTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>, IDisposable
{
    public void Dispose()
    {
        fixture.Cluster.Faults.Clear();
        foreach (var listener in fixture.Cluster.Listeners)
        {
            listener.Faults.Clear();
        }
    }

    private static async Task<SocketError?> ConnectErrorAsync(IPEndPoint endPoint)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint);
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    [Fact]
    public async Task Refusing_closes_the_listening_socket_and_drops_open_connections_until_cleared()
    {
        var primary = fixture.Cluster.Primary;
        using var client = fixture.Client();
        await Pve.GetDataAsync(client, "version", fixture.RootToken);

        primary.Faults.Set(new FaultSettings { RefuseConnections = true });
        await Task.Delay(100);
        Assert.Equal(SocketError.ConnectionRefused, await ConnectErrorAsync(primary.EndPoint));
        await Assert.ThrowsAsync<HttpRequestException>(() => Pve.GetAsync(client, "version", fixture.RootToken));

        primary.Faults.Clear();
        await Task.Delay(100);
        Assert.Null(await ConnectErrorAsync(primary.EndPoint));
        Assert.NotNull(await Pve.GetDataAsync(client, "version", fixture.RootToken));
    }

    [Fact]
    public async Task The_secondary_path_keeps_working_while_the_primary_refuses()
    {
        fixture.Cluster.Primary.Faults.Set(new FaultSettings { RefuseConnections = true });
        await Task.Delay(100);
        using var secondary = fixture.Client(secondary: true);
        Assert.NotEqual(fixture.Cluster.Primary.EndPoint.Address, fixture.Cluster.Secondary!.EndPoint.Address);
        Assert.NotNull(await Pve.GetDataAsync(secondary, "cluster/resources", fixture.RootToken));
        Assert.Equal(SocketError.ConnectionRefused, await ConnectErrorAsync(fixture.Cluster.Primary.EndPoint));
    }

    [Fact]
    public async Task Hang_accepts_the_connection_but_never_completes_the_tls_handshake()
    {
        fixture.Cluster.Primary.Faults.Set(new FaultSettings { Hang = true });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Cluster.Primary.EndPoint);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        var finished = await Task.WhenAny(handshake, Task.Delay(800));
        Assert.NotSame(handshake, finished);
    }

    [Fact]
    public async Task Fixed_latency_delays_every_response()
    {
        using var client = fixture.Client();
        await Pve.GetDataAsync(client, "version", fixture.RootToken);
        fixture.Cluster.Primary.Faults.Set(new FaultSettings { LatencyKind = LatencyKind.Fixed, Latency = TimeSpan.FromMilliseconds(300) });
        var watch = Stopwatch.StartNew();
        await Pve.GetDataAsync(client, "version", fixture.RootToken);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {watch.Elapsed}");
    }

    [Fact]
    public async Task An_error_rate_of_one_answers_every_request_with_the_configured_5xx()
    {
        using var client = fixture.Client();
        fixture.Cluster.Primary.Faults.Set(new FaultSettings { ErrorRate = 1, ErrorStatusCode = 503 });
        using var response = await Pve.GetAsync(client, "version", fixture.RootToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Service Unavailable", response.ReasonPhrase);
        Assert.Null((await Pve.BodyAsync(response))["data"]);
    }

    [Fact]
    public async Task Slow_responses_trickle_the_body_but_deliver_all_of_it()
    {
        using var client = fixture.Client();
        fixture.Cluster.Primary.Faults.Set(new FaultSettings { SlowResponseBytesPerSecond = 4000 });
        var watch = Stopwatch.StartNew();
        using var response = await Pve.GetAsync(client, "nodes", fixture.RootToken);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(body.Length > 800, body);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(body.Length / 4000.0 * 0.8), $"{body.Length} bytes in {watch.Elapsed}");
        Assert.Equal(fixture.Cluster.NodeNames.Count, System.Text.Json.Nodes.JsonNode.Parse(body)!["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_cluster_wide_fault_hits_both_listeners()
    {
        fixture.Cluster.Faults.Set(new FaultSettings { ErrorRate = 1, ErrorStatusCode = 500 });
        foreach (var secondary in new[] { false, true })
        {
            using var client = fixture.Client(secondary);
            using var response = await Pve.GetAsync(client, "version", fixture.RootToken);
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }
    }

    [Fact]
    public async Task Long_tail_latency_delays_only_some_requests()
    {
        using var client = fixture.Client();
        await Pve.GetDataAsync(client, "version", fixture.RootToken);
        fixture.Cluster.Primary.Faults.Set(new FaultSettings
        {
            LatencyKind = LatencyKind.LongTail, Latency = TimeSpan.Zero, TailProbability = 0.5, TailLatency = TimeSpan.FromMilliseconds(250),
        });
        var slow = 0;
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            await Pve.GetDataAsync(client, "version", fixture.RootToken);
            slow += watch.Elapsed >= TimeSpan.FromMilliseconds(240) ? 1 : 0;
        }
        Assert.InRange(slow, 1, 19);
    }
}
