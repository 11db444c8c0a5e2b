using System.Net.WebSockets;
using System.Text;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Tests.Support;
using Nexus.Proxmox.Timeouts;
using Nexus.Simulator.Clusters;

namespace Nexus.Proxmox.Tests.Connections;

/// <summary>Every typed read call, over real HTTPS with a pinned certificate, against the simulator.</summary>
public sealed class TypedCallsTests(SharedSimulator shared) : IClassFixture<SharedSimulator>, IDisposable
{
    private readonly ProxmoxConnection _client = Simulated.Connect(shared.Cluster);

    private SimulatedCluster Cluster => shared.Cluster;

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Version_reports_the_release_and_which_endpoint_served_it()
    {
        var version = await _client.GetVersionAsync();

        Assert.Equal("9.2.11", version.Value.Version);
        Assert.Equal("9.2", version.Value.Release);
        Assert.Equal(Simulated.PrimaryOf(Cluster), version.Endpoint);
        Assert.True(version.Latency > TimeSpan.Zero);
        Assert.Equal(1, version.Attempts);
    }

    [Fact]
    public async Task Nodes_list_every_node_with_its_certificate_fingerprint()
    {
        var nodes = (await _client.GetNodesAsync()).Value;

        Assert.Equal(Cluster.NodeNames.Order(), nodes.Select(n => n.Node).Order());
        Assert.All(nodes, n => Assert.Equal(Cluster.Fingerprint(n.Node), n.SslFingerprint));
        Assert.All(nodes, n => Assert.True(n.IsOnline));
        Assert.All(nodes, n => Assert.True(n.MaxMem > 0));
    }

    [Fact]
    public async Task Cluster_status_marks_the_answering_node_local()
    {
        var status = (await _client.GetClusterStatusAsync()).Value;

        var cluster = Assert.Single(status, e => e.Type == "cluster");
        Assert.Equal(Cluster.Name, cluster.Name);
        Assert.Equal(2, cluster.Nodes);
        Assert.True(cluster.Quorate);
        var local = Assert.Single(status, e => e.Type == "node" && e.Local == true);
        Assert.Equal(Cluster.Primary.Node, local.Name);
    }

    [Fact]
    public async Task Cluster_resources_can_be_filtered_to_guests()
    {
        var all = (await _client.GetClusterResourcesAsync()).Value;
        var vms = (await _client.GetClusterResourcesAsync(ClusterResourceType.Vm)).Value;

        Assert.Contains(all, r => r.Type == "node");
        Assert.Contains(all, r => r.Type == "storage");
        Assert.All(vms, r => Assert.True(r.IsGuest));
        Assert.Equal(Cluster.Guests.Select(g => g.Vmid).Order(), vms.Select(r => r.VmId!.Value).Order());
    }

    [Fact]
    public async Task Guest_lists_per_node_and_type_match_the_inventory()
    {
        foreach (var node in Cluster.NodeNames)
        {
            var qemu = (await _client.GetGuestsAsync(node, GuestType.Qemu)).Value;
            var lxc = (await _client.GetGuestsAsync(node, GuestType.Lxc)).Value;

            Assert.Equal(Cluster.Guests.Where(g => g.Node == node && g.Type == "qemu").Select(g => g.Vmid).Order(), qemu.Select(g => g.VmId).Order());
            Assert.Equal(Cluster.Guests.Where(g => g.Node == node && g.Type == "lxc").Select(g => g.Vmid).Order(), lxc.Select(g => g.VmId).Order());
        }
    }

    [Fact]
    public async Task Guest_status_reports_the_live_state()
    {
        var running = Simulated.Guest(Cluster, "qemu", GuestRunState.Running);

        var status = (await _client.GetGuestStatusAsync(running.Node, GuestType.Qemu, running.Vmid)).Value;

        Assert.Equal(running.Vmid, status.VmId);
        Assert.Equal("running", status.Status);
        Assert.Equal("running", status.RunState);
        Assert.Equal(running.Name, status.Name);
        Assert.NotNull(status.Ha);
    }

    [Fact]
    public async Task Rrd_data_for_an_hour_has_timed_rows_with_rates()
    {
        var running = Simulated.Guest(Cluster, "qemu", GuestRunState.Running);

        var points = (await _client.GetRrdDataAsync(running.Node, GuestType.Qemu, running.Vmid, RrdTimeframe.Hour)).Value;

        Assert.InRange(points.Count, 50, 80);
        Assert.True(points.Zip(points.Skip(1)).All(p => p.Second.Time > p.First.Time));
        Assert.Contains(points, p => p.Cpu is not null && p.NetIn is not null);
    }

    [Fact]
    public async Task Node_certificate_info_carries_the_pinned_fingerprint()
    {
        var node = Cluster.Primary.Node;

        var certificates = (await _client.GetNodeCertificatesAsync(node)).Value;

        Assert.Contains(certificates, c => c.Fingerprint == Cluster.Fingerprint(node));
        Assert.Contains(certificates, c => c.San is not null && c.San.Contains("127.0.0.1"));
    }

    [Fact]
    public async Task Every_answer_teaches_the_estimator_of_its_endpoint_and_class()
    {
        await _client.GetVersionAsync();
        await _client.GetNodesAsync();

        var entries = _client.Timeouts.Snapshot().Entries;
        var primary = Simulated.PrimaryOf(Cluster).ToString();
        Assert.Contains(entries, e => e.Endpoint == primary && e.RequestClass == RequestClass.Read && e.State.Samples >= 1);
        Assert.Contains(entries, e => e.Endpoint == primary && e.RequestClass == RequestClass.List && e.State.Samples >= 1);
        Assert.All(entries, e => Assert.NotNull(e.State.LastUpdate));
    }

    [Fact]
    public async Task A_vncproxy_ticket_opens_the_upstream_websocket_which_speaks_rfb()
    {
        var running = Simulated.Guest(Cluster, "qemu", GuestRunState.Running, skip: 1);

        var proxy = await _client.CreateVncProxyAsync(running.Node, GuestType.Qemu, running.Vmid);
        using var socket = await _client.OpenVncWebSocketAsync(proxy.Endpoint, running.Node, GuestType.Qemu, running.Vmid, proxy.Value);

        Assert.InRange(proxy.Value.Port, 5900, 5999);
        Assert.Equal("root@pam!nexus", proxy.Value.User);
        Assert.Equal("binary", socket.SubProtocol);
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Binary, received.MessageType);
        Assert.StartsWith("RFB 003.008", Encoding.ASCII.GetString(buffer, 0, received.Count), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_websocket_with_a_forged_ticket_is_refused_with_the_http_status_proxmox_gave()
    {
        var running = Simulated.Guest(Cluster, "qemu", GuestRunState.Running, skip: 2);
        var proxy = await _client.CreateVncProxyAsync(running.Node, GuestType.Qemu, running.Vmid);
        var forged = proxy.Value with { Ticket = proxy.Value.Ticket[..^4] + "AAAA" };

        var error = await Assert.ThrowsAsync<Nexus.Proxmox.Errors.ProxmoxServerException>(
            () => _client.OpenVncWebSocketAsync(proxy.Endpoint, running.Node, GuestType.Qemu, running.Vmid, forged));

        // pveproxy answers a failed ticket check with "500 permission denied - invalid PVEVNC ticket" instead of 101.
        Assert.Equal(500, error.StatusCode);
    }
}
