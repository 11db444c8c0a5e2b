using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Nexus.Contracts.Events;
using Nexus.Contracts.Hosting;
using Orleans.Streams;

namespace Nexus.Host.Live;

/// <summary>
/// The silo's bridge from tenant streams to its own SignalR connections (no backplane: every silo subscribes to
/// the tenants its connections watch and pushes only to them; ../shared/reference/orleans.md §2.3). One explicit
/// subscription per tenant with local viewers, taken on the first join and dropped after the last leave, and
/// all of them dropped on shutdown: client subscriptions cannot be resumed after a restart and would otherwise
/// linger in the pub-sub store (§7.3).
/// </summary>
internal sealed class TenantStreamBridge(
    IClusterClient cluster, IHubContext<LiveHub> hub, LiveFanOut fanOut, LiveAccessLoader loader, ILogger<TenantStreamBridge> logger)
    : IHostedService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Changed only under _gate; read without it.
    private readonly ConcurrentDictionary<Guid, TenantFeed> _feeds = [];
    private bool _stopped;

    /// <summary>The number of tenant streams this silo is subscribed to (diagnostics and tests).</summary>
    public int SubscribedTenants => _feeds.Count;

    /// <summary>The tenant's feed if this silo is subscribed to it.</summary>
    public TenantFeed? Find(Guid tenantId) => _feeds.GetValueOrDefault(tenantId);

    /// <summary>Takes one reference on the tenant's feed, subscribing to its stream when it is the first.</summary>
    public async Task<TenantFeed> AcquireAsync(Guid tenantId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (!_feeds.TryGetValue(tenantId, out var feed))
            {
                feed = new TenantFeed(tenantId, hub, fanOut, loader, logger);
                var stream = cluster.GetStreamProvider(OrleansNames.StreamProvider)
                    .GetStream<TenantEvent>(StreamId.Create(TenantStreams.Namespace, tenantId));
                feed.Subscription = await stream.SubscribeAsync(feed.OnNextAsync);
                feed.Start();
                _feeds[tenantId] = feed;
                logger.LogDebug("Subscribed to the live stream of tenant {TenantId}", tenantId);
            }
            feed.References++;
            return feed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gives back one reference; the last one unsubscribes.</summary>
    public async Task ReleaseAsync(Guid tenantId)
    {
        TenantFeed? closing = null;
        await _gate.WaitAsync();
        try
        {
            if (_feeds.TryGetValue(tenantId, out var feed) && --feed.References <= 0)
            {
                closing = feed;
                await UnsubscribeAsync(feed);
                // Only now: a feed that is no longer listed is no longer in the cluster's pub-sub either.
                _feeds.TryRemove(tenantId, out _);
            }
        }
        finally
        {
            _gate.Release();
        }
        if (closing is not null)
        {
            await closing.StopAsync();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<TenantFeed> feeds;
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            _stopped = true;
            feeds = [.. _feeds.Values];
            _feeds.Clear();
            foreach (var feed in feeds)
            {
                await UnsubscribeAsync(feed);
            }
        }
        finally
        {
            _gate.Release();
        }
        foreach (var feed in feeds)
        {
            await feed.StopAsync();
        }
    }

    private async Task UnsubscribeAsync(TenantFeed feed)
    {
        try
        {
            if (feed.Subscription is { } subscription)
            {
                await subscription.UnsubscribeAsync();
            }
            logger.LogDebug("Unsubscribed from the live stream of tenant {TenantId}", feed.TenantId);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or ObjectDisposedException or OperationCanceledException)
        {
            // The silo is stopping or the pub-sub grain is unreachable; a dead client's subscription is pruned on
            // the next delivery attempt (orleans.md §2.1).
            logger.LogWarning(ex, "Unsubscribing from the live stream of tenant {TenantId} failed", feed.TenantId);
        }
    }
}
