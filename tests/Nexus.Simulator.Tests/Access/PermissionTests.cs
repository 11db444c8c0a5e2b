using System.Net;
using Nexus.Simulator.Access;
using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.Access;

public sealed class PermissionTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Token_without_VM_PowerMgmt_gets_403_in_proxmox_format()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu" && !g.Template);
        var token = fixture.Cluster.Token("nexus@pve!nopower").AuthorizationHeader;
        using var response = await Pve.PostAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/stop", token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal($"Permission check failed (/vms/{guest.Vmid}, VM.PowerMgmt)", response.ReasonPhrase);
        Assert.Equal($"{{\"data\":null,\"message\":\"Permission check failed (/vms/{guest.Vmid}, VM.PowerMgmt)\\n\"}}",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_without_VM_Console_cannot_open_a_vnc_proxy()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu" && !g.Template);
        var token = fixture.Cluster.Token("nexus@pve!noconsole").AuthorizationHeader;
        using var response = await Pve.PostAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/vncproxy", token,
            new Dictionary<string, string> { ["websocket"] = "1" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal($"Permission check failed (/vms/{guest.Vmid}, VM.Console)", response.ReasonPhrase);
    }

    [Fact]
    public async Task Cluster_status_needs_Sys_Audit_on_the_root()
    {
        using var client = fixture.Client();
        var token = fixture.Cluster.AddToken("tenant@pve", "vmonly", new HashSet<string> { PvePrivileges.VmAudit }).AuthorizationHeader;
        using var response = await Pve.GetAsync(client, "cluster/status", token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Permission check failed (/, Sys.Audit)", response.ReasonPhrase);
    }

    [Fact]
    public async Task Resources_only_list_the_guests_a_token_may_audit()
    {
        using var client = fixture.Client();
        var visible = fixture.Cluster.Guests.Take(3).Select(g => g.Vmid).ToHashSet();
        var token = fixture.Cluster.AddToken("tenant@pve", "three", new HashSet<string> { PvePrivileges.VmAudit }, visible).AuthorizationHeader;
        var rows = (await Pve.GetDataAsync(client, "cluster/resources", token))!.AsArray();
        Assert.Equal(visible.Order(), rows.Select(r => r!["vmid"]!.GetValue<int>()).Order());
        Assert.All(rows, r => Assert.Null(r!["pool"]));
    }

    [Fact]
    public async Task Nodes_list_omits_stats_without_Sys_Audit_but_keeps_the_fingerprint()
    {
        using var client = fixture.Client();
        var token = fixture.Cluster.AddToken("tenant@pve", "nosys", new HashSet<string> { PvePrivileges.VmAudit }).AuthorizationHeader;
        var nodes = (await Pve.GetDataAsync(client, "nodes", token))!.AsArray();
        Assert.Equal(fixture.Cluster.NodeNames.Count, nodes.Count);
        Assert.All(nodes, n =>
        {
            Assert.Null(n!["cpu"]);
            Assert.Null(n["maxmem"]);
            Assert.Equal(fixture.Cluster.Fingerprint(n["node"]!.GetValue<string>()), n["ssl_fingerprint"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task Only_root_may_pass_skiplock()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu" && !g.Template);
        using var response = await Pve.PostAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/stop", fixture.RootToken,
            new Dictionary<string, string> { ["skiplock"] = "1" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await Pve.BodyAsync(response);
        Assert.Equal("Only root may use this option.", body["errors"]!["skiplock"]!.GetValue<string>());
    }
}
