using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.JsonWebTokens;
using Nexus.Host.Identity;
using Nexus.Host.Observability;

namespace Nexus.Host.Live;

/// <summary>
/// <c>/hubs/live</c>: a browser joins the tenants it shows and receives their events (Live/README.md). The
/// connection is authenticated with the API's access token; every join re-reads the caller and their access
/// from the database, so a disabled account, an inactive tenant or a lost membership is refused.
/// </summary>
[Authorize]
internal sealed class LiveHub(TenantStreamBridge bridge, LiveAccessLoader loader, ILogger<LiveHub> logger) : Hub
{
    // How often a join re-reads access when access changes keep racing it; beyond that the join is refused.
    private const int MaxJoinAttempts = 3;

    private static readonly object JoinedKey = new();

    /// <summary>Starts this connection's events of the tenant; a tenant the caller may not see is an error, like one that does not exist.</summary>
    public async Task JoinTenant(Guid tenantId)
    {
        var userId = CallerId();
        var tokenGeneration = AccessTokens.GenerationOf(Context.User);
        var joined = Joined();
        bool already;
        lock (joined)
        {
            already = joined.Contains(tenantId);
        }
        var feed = await bridge.AcquireAsync(tenantId, Context.ConnectionAborted);
        var added = false;
        try
        {
            for (var attempt = 0; attempt < MaxJoinAttempts && !added; attempt++)
            {
                var epoch = feed.AccessEpoch;
                var audience = await loader.LoadAsync(userId, tenantId, Context.ConnectionAborted);
                // A connection made with a token from before a password change or "sign out everywhere".
                var ended = audience is not null && tokenGeneration < audience.TokenGeneration;
                if (audience is null || ended)
                {
                    if (already)
                    {
                        await feed.RemoveConnectionAsync(Context.ConnectionId, userId);
                    }
                    throw new HubException(ended ? "Your session has ended. Sign in again." : "The tenant does not exist or you may not see it.");
                }
                added = await feed.AddConnectionAsync(Context.ConnectionId, audience, epoch, tokenGeneration);
            }
            if (!added)
            {
                throw new HubException("Your access to the tenant is changing; try again.");
            }
        }
        finally
        {
            // A repeated join re-authorizes but holds one reference, as does a failed one: none.
            if (already || !added)
            {
                await bridge.ReleaseAsync(tenantId);
            }
        }
        if (already)
        {
            return;
        }
        lock (joined)
        {
            joined.Add(tenantId);
        }
        if (Context.ConnectionAborted.IsCancellationRequested)
        {
            // The connection closed while joining; its disconnect may already have released what it held.
            await LeaveTenant(tenantId);
            return;
        }
        logger.LogDebug("Connection {ConnectionId} of user {UserId} joined tenant {TenantId}", Context.ConnectionId, userId, tenantId);
    }

    public async Task LeaveTenant(Guid tenantId)
    {
        var joined = Joined();
        bool removed;
        lock (joined)
        {
            removed = joined.Remove(tenantId);
        }
        if (removed)
        {
            await LeaveAsync(tenantId);
        }
    }

    public override Task OnConnectedAsync()
    {
        LiveMetrics.Connected();
        return base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        LiveMetrics.Disconnected();
        var joined = Joined();
        Guid[] tenants;
        lock (joined)
        {
            tenants = [.. joined];
            joined.Clear();
        }
        foreach (var tenantId in tenants)
        {
            await LeaveAsync(tenantId);
        }
        await base.OnDisconnectedAsync(exception);
    }

    private async Task LeaveAsync(Guid tenantId)
    {
        if (bridge.Find(tenantId) is { } feed)
        {
            await feed.RemoveConnectionAsync(Context.ConnectionId, CallerId());
        }
        await bridge.ReleaseAsync(tenantId);
    }

    private Guid CallerId() =>
        Guid.TryParse(Context.User?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var id)
            ? id
            : throw new HubException("The connection has no user.");

    /// <summary>The tenants this connection joined (per connection, kept with it by SignalR).</summary>
    private HashSet<Guid> Joined()
    {
        if (Context.Items.TryGetValue(JoinedKey, out var value) && value is HashSet<Guid> set)
        {
            return set;
        }
        lock (Context.Items)
        {
            if (!Context.Items.TryGetValue(JoinedKey, out value) || value is not HashSet<Guid> existing)
            {
                existing = [];
                Context.Items[JoinedKey] = existing;
            }
            return existing;
        }
    }
}
