using System.Globalization;
using System.Text.Json.Nodes;
using Nexus.Simulator.Access;
using Nexus.Simulator.Consoles;

namespace Nexus.Simulator.Api.Endpoints;

/// <summary>
/// <c>vncproxy</c> and <c>vncwebsocket</c> for qemu and lxc: authentication, <c>VM.Console</c>, parameter
/// checks, the vncproxy task and Proxmox's JSON shape live here; ports, tickets and RFB live in
/// <see cref="IClusterConsoles"/>.
/// </summary>
internal static class ConsoleEndpoints
{
    public static void Map(ApiRouteTable routes)
    {
        foreach (var type in new[] { "qemu", "lxc" })
        {
            var proxySchema = ParamSchema.Create().Node().Vmid().Bool("websocket");
            if (type == "qemu")
            {
                proxySchema.Bool("generate-password");
            }
            else
            {
                proxySchema.Int("width", 16, 4096).Int("height", 16, 2160);
            }
            routes.Post($"/nodes/{{node}}/{type}/{{vmid}}/vncproxy", proxySchema, call => VncProxy(call, type),
                new Permission("/vms/{vmid}", PvePrivileges.VmConsole));
            routes.Get($"/nodes/{{node}}/{type}/{{vmid}}/vncwebsocket",
                ParamSchema.Create().Node().Vmid().Int("port", 5900, 5999, optional: false).Str("vncticket", 512, optional: false),
                call => VncWebSocket(call, type), new Permission("/vms/{vmid}", PvePrivileges.VmConsole));
        }
    }

    private static ConsoleGuest Describe(ApiCall call, string type)
    {
        var guest = call.Guest(type);
        return new ConsoleGuest(guest.Read().Node, type, guest.Vmid, guest.Name);
    }

    private static Task<ApiReply> VncProxy(ApiCall call, string type)
    {
        var guest = Describe(call, type);
        var node = call.Node();
        var cluster = call.Cluster;
        var principal = call.Principal.Id;
        var task = cluster.Tasks.Start(node.Name, node.PStart, "vncproxy", guest.Vmid.ToString(CultureInfo.InvariantCulture), principal);
        VncProxyGrant grant;
        try
        {
            grant = cluster.Consoles.Reserve(guest, principal, error => task.Finish(error, cluster.Tasks.Now()));
        }
        catch (ConsoleException e)
        {
            task.Finish(e.Message, cluster.Tasks.Now());
            throw new ApiException(e.StatusCode, e.Message);
        }
        var data = new JsonObject
        {
            ["user"] = principal,
            ["ticket"] = grant.Ticket,
        };
        // Before qemu-server 9.1.7 the VNC password was the ticket itself, unless one was asked for.
        if (!cluster.Profile.LegacyVncTicket || call.Bool("generate-password"))
        {
            data["password"] = grant.Password;
        }
        data["cert"] = cluster.CaCertificatePem;
        data["port"] = grant.Port.ToString(CultureInfo.InvariantCulture);
        data["upid"] = task.Upid;
        return Task.FromResult(ApiReply.Of(data));
    }

    private static async Task<ApiReply> VncWebSocket(ApiCall call, string type)
    {
        var guest = Describe(call, type);
        var context = call.Http;
        // The console side verifies the ticket, then either answers 200 {"data":{"port":"…"}} (no Upgrade
        // header) or upgrades; its failures come back as Proxmox errors before anything is written.
        try
        {
            await call.Cluster.Consoles.HandleWebSocketAsync(context, guest, call.Principal.Id, call.Int("port"), call.Get("vncticket")!);
        }
        catch (ConsoleException e) when (!context.Response.HasStarted)
        {
            throw new ApiException(e.StatusCode, e.Message);
        }
        return ApiReply.Handled;
    }
}
