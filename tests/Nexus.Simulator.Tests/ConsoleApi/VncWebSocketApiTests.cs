using System.Net;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;
using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.ConsoleApi;

/// <summary>The API layer's part of the console path: authentication, VM.Console, parameter checks, reply shape.</summary>
public sealed class VncWebSocketApiTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private string Path(GuestInfo guest, string query) => $"nodes/{guest.Node}/{guest.Type}/{guest.Vmid}/vncwebsocket?{query}";

    [Theory]
    [InlineData("port=6000&vncticket=x", "port", "value must have a maximum value of 5999")]
    [InlineData("port=5899&vncticket=x", "port", "value must have a minimum value of 5900")]
    [InlineData("port=abc&vncticket=x", "port", "type check ('integer') failed - got 'abc'")]
    [InlineData("vncticket=x", "port", "property is missing and it is not optional")]
    [InlineData("port=5900", "vncticket", "property is missing and it is not optional")]
    public async Task Vncwebsocket_validates_its_parameters_like_proxmox(string query, string parameter, string error)
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu");
        using var response = await Pve.GetAsync(client, Path(guest, query), fixture.RootToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await Pve.BodyAsync(response))["errors"]![parameter]!.GetValue<string>());
    }

    [Fact]
    public async Task A_vncticket_longer_than_512_characters_is_rejected()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu");
        using var response = await Pve.GetAsync(client, Path(guest, "port=5900&vncticket=" + new string('A', 513)), fixture.RootToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("value may only be 512 characters long", (await Pve.BodyAsync(response))["errors"]!["vncticket"]!.GetValue<string>());
    }

    [Fact]
    public async Task Vncwebsocket_without_credentials_is_401_and_without_VM_Console_is_403()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu");
        using var anonymous = await client.GetAsync(Path(guest, "port=5900&vncticket=x"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var forbidden = await Pve.GetAsync(client, Path(guest, "port=5900&vncticket=x"), fixture.Cluster.Token("nexus@pve!noconsole").AuthorizationHeader);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal($"Permission check failed (/vms/{guest.Vmid}, VM.Console)", forbidden.ReasonPhrase);
    }

    [Fact]
    public async Task Vncwebsocket_without_upgrade_headers_echoes_the_port_as_a_string()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "lxc" && !g.Template);
        var proxy = (await Pve.DataAsync(await Pve.PostAsync(client, $"nodes/{guest.Node}/lxc/{guest.Vmid}/vncproxy", fixture.RootToken,
            new Dictionary<string, string> { ["websocket"] = "1" })))!;
        var port = proxy["port"]!.GetValue<string>();
        var data = await Pve.GetDataAsync(client, Path(guest, $"port={port}&vncticket={Uri.EscapeDataString(proxy["ticket"]!.GetValue<string>())}"), fixture.RootToken);
        Assert.True(Pve.IsJsonString(data!["port"]));
        Assert.Equal(port, data["port"]!.GetValue<string>());
    }
}

public sealed class LegacyVncFixture : SimulatorFixture
{
    protected override void Configure(SimulatorOptions options) =>
        options.Profile = new ClusterProfile(PveVersion: "9.0.10", LegacyVncTicket: true);
}

public sealed class LegacyVncProxyTests(LegacyVncFixture fixture) : IClassFixture<LegacyVncFixture>
{
    [Fact]
    public async Task Before_qemu_server_9_1_7_vncproxy_has_no_password_and_a_bare_PVEVNC_ticket()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu" && !g.Template);
        var data = (await Pve.DataAsync(await Pve.PostAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/vncproxy", fixture.RootToken,
            new Dictionary<string, string> { ["websocket"] = "1" })))!.AsObject();
        Assert.False(data.ContainsKey("password"));
        Assert.StartsWith("PVEVNC:", data["ticket"]!.GetValue<string>());
        Assert.True(Pve.IsJsonString(data["port"]));
    }
}
