using System.Text.Json.Nodes;
using Nexus.Simulator.Access;
using Nexus.Simulator.Api.Shapes;
using Nexus.Simulator.Clusters;

namespace Nexus.Simulator.Api.Endpoints;

/// <summary>Guest lists, <c>status/current</c> and <c>config</c> for qemu and lxc (live values, not the snapshot).</summary>
internal static class GuestEndpoints
{
    public static void Map(ApiRouteTable routes)
    {
        foreach (var type in new[] { "qemu", "lxc" })
        {
            var listSchema = ParamSchema.Create().Node();
            if (type == "qemu")
            {
                listSchema.Bool("full");
            }
            routes.Get($"/nodes/{{node}}/{type}", listSchema, call => List(call, type));
            routes.Get($"/nodes/{{node}}/{type}/{{vmid}}/status/current", ParamSchema.Create().Node().Vmid(),
                call => Current(call, type), new Permission("/vms/{vmid}", PvePrivileges.VmAudit));
            routes.Get($"/nodes/{{node}}/{type}/{{vmid}}/config", ParamSchema.Create().Node().Vmid().Bool("current").Str("snapshot"),
                call => Config(call, type), new Permission("/vms/{vmid}", PvePrivileges.VmAudit));
        }
    }

    private static Task<ApiReply> List(ApiCall call, string type)
    {
        var node = call.Node();
        var now = call.Now;
        var list = new JsonArray();
        foreach (var s in call.Cluster.Inventory.ReadAll())
        {
            if (s.Guest.Type == type && s.Node == node.Name && call.Principal.Has($"/vms/{s.Guest.Vmid}", PvePrivileges.VmAudit))
            {
                list.Add(GuestShapes.ListItem(s, GuestStats.At(s, now)));
            }
        }
        return Task.FromResult(ApiReply.Of(list));
    }

    private static Task<ApiReply> Current(ApiCall call, string type)
    {
        var s = call.Guest(type).Read();
        return Task.FromResult(ApiReply.Of(GuestShapes.Current(s, GuestStats.At(s, call.Now))));
    }

    private static Task<ApiReply> Config(ApiCall call, string type)
    {
        var guest = call.Guest(type);
        var s = guest.Read();
        var memMiB = guest.MaxMem / (1024 * 1024);
        var diskGiB = guest.MaxDisk / (1024 * 1024 * 1024);
        var mac = $"BC:24:11:{guest.Vmid / 65536 % 256:X2}:{guest.Vmid / 256 % 256:X2}:{guest.Vmid % 256:X2}";
        var config = type == "qemu"
            ? new JsonObject
            {
                ["name"] = guest.Name,
                ["cores"] = guest.Cpus,
                ["sockets"] = 1,
                ["memory"] = memMiB.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ostype"] = "l26",
                ["boot"] = "order=scsi0;net0",
                ["scsihw"] = "virtio-scsi-single",
                ["scsi0"] = $"local-lvm:vm-{guest.Vmid}-disk-0,iothread=1,size={diskGiB}G",
                ["net0"] = $"virtio={mac},bridge=vmbr0,firewall=1",
                ["agent"] = "1",
                ["vmgenid"] = new Guid(guest.Vmid, 0, 0, new byte[8]).ToString(),
                ["smbios1"] = $"uuid={new Guid(guest.Vmid, 1, 1, new byte[8])}",
                ["digest"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(BitConverter.GetBytes(guest.Vmid))),
            }
            : new JsonObject
            {
                ["hostname"] = guest.Name,
                ["cores"] = guest.Cpus,
                ["memory"] = memMiB,
                ["swap"] = 512,
                ["ostype"] = "debian",
                ["arch"] = "amd64",
                ["rootfs"] = $"local-lvm:vm-{guest.Vmid}-disk-0,size={diskGiB}G",
                ["net0"] = $"name=eth0,bridge=vmbr0,hwaddr={mac},ip=dhcp,type=veth",
                ["unprivileged"] = 1,
                ["digest"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(BitConverter.GetBytes(guest.Vmid))),
            };
        GuestShapes.Optional(config, "tags", guest.Tags);
        GuestShapes.Optional(config, "lock", s.Lock);
        if (guest.Template)
        {
            config["template"] = 1;
        }
        return Task.FromResult(ApiReply.Of(config));
    }
}
