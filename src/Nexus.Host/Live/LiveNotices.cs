using Nexus.Contracts.Events;
using Nexus.Contracts.Tenants;

namespace Nexus.Host.Live;

/// <summary>
/// How the membership, grant, tenant and user endpoints tell live connections that someone's access changed. The
/// event is published when the response starts, i.e. after the endpoint's transaction has committed, so the
/// silos that re-read the access see the change; a failed request at worst causes a harmless re-read.
/// </summary>
internal static class LiveNotices
{
    // Enough to reach a few thousand tenants in a second or two without flooding the silo with grain calls.
    private const int PublishParallelism = 8;

    /// <summary>
    /// A membership, grant or tenant change: this silo's cached VM access of the tenant is dropped and
    /// <see cref="TenantAccessChanged"/> is published for <paramref name="userId"/> (null: everyone in the tenant).
    /// </summary>
    public static void AccessChanged(HttpContext context, Guid tenantId, Guid? userId)
    {
        Vms.VmAccessCache.InvalidateOnResponse(context, tenantId);
        AccessChanged(context, [tenantId], userId);
    }

    /// <summary>
    /// Publishes <see cref="TenantAccessChanged"/> for <paramref name="userId"/> in each of <paramref name="tenantIds"/>.
    /// One tenant (a membership or grant change) is published before the response goes out, so the caller's next
    /// request finds its access version moved. Many (an account change of a global admin reaches every tenant) go
    /// out in the background instead: an admin's request must not wait on thousands of grain calls.
    /// </summary>
    public static void AccessChanged(HttpContext context, IReadOnlyList<Guid> tenantIds, Guid? userId)
    {
        if (tenantIds.Count == 0)
        {
            return;
        }
        var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LiveNotices));
        context.Response.OnStarting(() =>
        {
            var publishing = PublishAsync(grains, logger, tenantIds, userId);
            return tenantIds.Count == 1 ? publishing : Task.CompletedTask;
        });
    }

    private static Task PublishAsync(IGrainFactory grains, ILogger logger, IReadOnlyList<Guid> tenantIds, Guid? userId) =>
        Parallel.ForEachAsync(tenantIds, new ParallelOptions { MaxDegreeOfParallelism = PublishParallelism }, async (tenantId, _) =>
        {
            try
            {
                await grains.GetGrain<ITenantGrain>(tenantId).Publish(new TenantAccessChanged(userId));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The change itself is committed; live viewers then keep their access until their token expires
                // and the hub closes the connection (CloseOnAuthenticationExpiration), which re-authorizes on rejoin.
                logger.LogError(ex, "Publishing an access change of tenant {TenantId} failed", tenantId);
            }
        });
}
