using Nexus.Contracts.Events;
using Nexus.Contracts.Tenants;

namespace Nexus.Host.Live;

/// <summary>
/// How the membership, grant and tenant endpoints tell live connections that someone's access changed. The
/// event is published when the response starts, i.e. after the endpoint's transaction has committed, so the
/// silos that re-read the access see the change; a failed request at worst causes a harmless re-read.
/// </summary>
internal static class LiveNotices
{
    /// <summary>Publishes <see cref="TenantAccessChanged"/> for <paramref name="userId"/> (null: everyone in the tenant).</summary>
    public static void AccessChanged(HttpContext context, Guid tenantId, Guid? userId) =>
        context.Response.OnStarting(async () =>
        {
            try
            {
                await context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(tenantId)
                    .Publish(new TenantAccessChanged(userId));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The change itself is committed; live viewers then keep their access until their token expires
                // and the hub closes the connection (CloseOnAuthenticationExpiration), which re-authorizes on rejoin.
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LiveNotices))
                    .LogError(ex, "Publishing an access change of tenant {TenantId} failed", tenantId);
            }
        });
}
