using System.Text.Json;
using System.Text.Json.Nodes;
using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.Api;

public sealed class TypingTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private static IEnumerable<JsonNode?> Walk(JsonNode? node)
    {
        yield return node;
        if (node is JsonObject o)
        {
            foreach (var child in o.SelectMany(p => Walk(p.Value)))
            {
                yield return child;
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var child in a.SelectMany(Walk))
            {
                yield return child;
            }
        }
    }

    [Fact]
    public async Task Booleans_are_the_integers_0_and_1()
    {
        using var client = fixture.Client();
        var rows = (await Pve.GetDataAsync(client, "cluster/resources?type=vm", fixture.RootToken))!.AsArray();
        Assert.All(rows, r => Assert.Contains(r!["template"]!.GetValue<int>(), new[] { 0, 1 }));
        var status = (await Pve.GetDataAsync(client, "cluster/status", fixture.RootToken))!.AsArray();
        var cluster = status.Single(e => e!["type"]!.GetValue<string>() == "cluster")!;
        Assert.Equal(1, cluster["quorate"]!.GetValue<int>());
        Assert.All(status.Where(e => e!["type"]!.GetValue<string>() == "node"), n =>
        {
            Assert.True(Pve.IsJsonNumber(n!["online"]) && Pve.IsJsonNumber(n["local"]));
        });
        var everything = Walk(await Pve.GetDataAsync(client, "cluster/resources", fixture.RootToken));
        Assert.DoesNotContain(everything, n => n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False);
    }

    [Fact]
    public async Task Optional_fields_are_absent_never_null()
    {
        using var client = fixture.Client();
        foreach (var path in new[] { "cluster/resources", "nodes", $"nodes/{fixture.Cluster.NodeNames[0]}/qemu", $"nodes/{fixture.Cluster.NodeNames[0]}/lxc" })
        {
            var data = await Pve.GetDataAsync(client, path, fixture.RootToken);
            Assert.DoesNotContain(Walk(data).Skip(1), n => n is null);
        }
        var rows = (await Pve.GetDataAsync(client, "cluster/resources?type=vm", fixture.RootToken))!.AsArray();
        Assert.Contains(rows, r => r!.AsObject().ContainsKey("tags"));
        Assert.Contains(rows, r => !r!.AsObject().ContainsKey("tags"));
    }

    [Fact]
    public async Task Cpu_values_carry_full_float_precision()
    {
        using var client = fixture.Client();
        var rows = (await Pve.GetDataAsync(client, "cluster/resources?type=vm", fixture.RootToken))!.AsArray();
        var cpus = rows.Where(r => r!["status"]!.GetValue<string>() == "running").Select(r => r!["cpu"]!.ToJsonString()).ToArray();
        Assert.NotEmpty(cpus);
        Assert.All(cpus, c => Assert.True(c.Length > 12, $"cpu {c} is rounded"));
    }

    [Fact]
    public async Task Qemu_list_items_have_no_type_and_lxc_items_do()
    {
        using var client = fixture.Client();
        var qemu = fixture.Guest(g => g.Type == "qemu");
        var lxc = fixture.Guest(g => g.Type == "lxc");
        var vms = (await Pve.GetDataAsync(client, $"nodes/{qemu.Node}/qemu", fixture.RootToken))!.AsArray();
        Assert.All(vms, v => Assert.False(v!.AsObject().ContainsKey("type")));
        Assert.All(vms, v => Assert.True(Pve.IsJsonNumber(v!["vmid"])));
        var cts = (await Pve.GetDataAsync(client, $"nodes/{lxc.Node}/lxc", fixture.RootToken))!.AsArray();
        Assert.All(cts, c => Assert.Equal("lxc", c!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Vncproxy_port_is_a_string_and_the_reply_has_proxmox_fields()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu" && !g.Template);
        var data = (await Pve.DataAsync(await Pve.PostAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/vncproxy", fixture.RootToken,
            new Dictionary<string, string> { ["websocket"] = "1" })))!;
        Assert.True(Pve.IsJsonString(data["port"]));
        Assert.InRange(int.Parse(data["port"]!.GetValue<string>()), 5900, 5999);
        Assert.Equal("root@pam!nexus", data["user"]!.GetValue<string>());
        var password = data["password"]!.GetValue<string>();
        Assert.Equal(8, password.Length);
        Assert.StartsWith(password + ":PVEVNC:", data["ticket"]!.GetValue<string>());
        Assert.Equal(fixture.Cluster.CaCertificatePem, data["cert"]!.GetValue<string>());
        Assert.Matches($"^UPID:{guest.Node}:[0-9A-F]{{8}}:[0-9A-F]{{8,9}}:[0-9A-F]{{8}}:vncproxy:{guest.Vmid}:root@pam!nexus:$", data["upid"]!.GetValue<string>());
    }
}
