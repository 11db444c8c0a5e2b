using Microsoft.Extensions.Logging;
using Nexus.Contracts.Consoles;
using Nexus.Contracts.Servers;
using Nexus.Grains.Consoles;
using Nexus.Proxmox.Errors;

namespace Nexus.Grains.Servers;

/// <summary>Console tickets: <c>vncproxy</c> through the server's one connection (its learned timeouts and fallback).</summary>
internal sealed partial class ProxmoxServerGrain
{
    public async Task<VncProxyGrant> OpenVncProxy(string guestType, int vmId, string node)
    {
        if (_connection is not { } connection || _config is not { } config)
        {
            return VncProxyGrant.Failed("The server is not polled (disabled or not configured).", null);
        }
        try
        {
            // One attempt (Nexus.Proxmox does not retry it): each call starts a worker and reserves a VNC port on the node.
            var response = await connection.CreateVncProxyAsync(node, GuestTypeOf(guestType), vmId);
            var ticket = response.Value;
            var role = response.Endpoint == config.Proxmox.Primary ? EndpointRole.Primary : EndpointRole.Secondary;
            return new VncProxyGrant(role, response.Endpoint.Host, response.Endpoint.Port, ticket.Port, ticket.Ticket, ticket.Password,
                ticket.Upid, ticket.User, ServerConfigStamp.Of(config.Proxmox));
        }
        catch (ProxmoxException ex)
        {
            logger.LogInformation("Server {ServerId}: vncproxy of {Type}/{VmId} on {Node} failed: {Error}", ServerId, guestType, vmId, node, ex.Message);
            return VncProxyGrant.Failed(ex.ProxmoxMessage ?? ex.ReasonPhrase ?? ex.Message, ex.StatusCode);
        }
        catch (ArgumentException ex)
        {
            return VncProxyGrant.Failed(ex.Message, 400);
        }
    }
}
