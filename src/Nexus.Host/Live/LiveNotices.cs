using Nexus.Contracts.Events;
using Nexus.Contracts.Tenants;
using Nexus.Data.Access;
using Nexus.Data.Tenants;

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

    /// <summary>Publishes <see cref="TenantAccessChanged"/> for <paramref name="userId"/> (null: everyone in the tenant).</summary>
    public static void AccessChanged(HttpContext context, Guid tenantId, Guid? userId) =>
        AccessChanged(context, [tenantId], userId);

    /// <summary>
    /// For a change to the account itself (disabled, deleted, global role): the tenants the user may be watching,
    /// read BEFORE the change (a delete removes the memberships that say where they watch).
    /// </summary>
    public static Task<IReadOnlyList<Guid>> TenantsWatchableByAsync(HttpContext context, Guid userId, bool isGlobalAdmin, CancellationToken ct)
    {
        var database = context.RequestServices.GetRequiredService<INexusDatabase>();
        var tenants = context.RequestServices.GetRequiredService<TenantStore>();
        return database.AsSystemAsync(session => tenants.ListIdsReachableByAsync(session, userId, everyTenant: isGlobalAdmin), ct);
    }

    /// <summary>Publishes <see cref="TenantAccessChanged"/> for <paramref name="userId"/> in each of <paramref name="tenantIds"/>.</summary>
    public static void AccessChanged(HttpContext context, IReadOnlyList<Guid> tenantIds, Guid? userId)
    {
        if (tenantIds.Count == 0)
        {
            return;
        }
        context.Response.OnStarting(async () =>
        {
            var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
            await Parallel.ForEachAsync(tenantIds, new ParallelOptions { MaxDegreeOfParallelism = PublishParallelism }, async (tenantId, _) =>
            {
                try
                {
                    await grains.GetGrain<ITenantGrain>(tenantId).Publish(new TenantAccessChanged(userId));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The change itself is committed; live viewers then keep their access until their token expires
                    // and the hub closes the connection (CloseOnAuthenticationExpiration), which re-authorizes on rejoin.
                    context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LiveNotices))
                        .LogError(ex, "Publishing an access change of tenant {TenantId} failed", tenantId);
                }
            });
        });
    }
}
