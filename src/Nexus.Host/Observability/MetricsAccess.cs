using System.Net;
using IPNetwork = System.Net.IPNetwork;

namespace Nexus.Host.Observability;

/// <summary>
/// Keeps <c>/metrics</c> to the configured networks. The address is the client's as rewritten by forwarded headers
/// from a trusted proxy only, so a scraper behind the proxy is judged by its own address and a client cannot claim
/// one. Everyone else gets the same 404 as any address that does not exist.
/// </summary>
internal sealed class MetricsAccess(IReadOnlyList<IPNetwork> networks, ILogger<MetricsAccess> logger)
{
    public bool Allows(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The first step of the scrape's branch: answers 404 itself, or lets the exporter answer.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var address = context.Connection.RemoteIpAddress;
        if (Allows(address))
        {
            await next(context);
            return;
        }
        logger.LogDebug("Metrics scrape refused for {ClientIp}: not in Nexus:Observability:MetricsNetworks", address);
        await TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
            detail: "There is nothing at this address.").ExecuteAsync(context);
    }
}
