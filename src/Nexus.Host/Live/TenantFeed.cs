using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Nexus.Contracts.Events;
using Nexus.Host.Observability;
using Orleans.Streams;

namespace Nexus.Host.Live;

/// <summary>
/// One tenant's events on this silo: who watches (viewers and their connections, by audience), and a single
/// pump that hands each event to <see cref="LiveFanOut"/> in stream order. Access changes are applied by the
/// pump itself, between the events before and after them, so a revoked user gets nothing published after the
/// revocation. Created and disposed by <see cref="TenantStreamBridge"/> (reference-counted per connection join).
/// </summary>
internal sealed class TenantFeed
{
    // Deep enough for a burst of polls of many servers; beyond it the oldest events are dropped and clients see
    // a version gap and reload their snapshot, rather than the silo's memory growing behind a stuck pump.
    private const int QueueCapacity = 10_000;

    private readonly Channel<TenantEvent> _queue;
    private readonly SemaphoreSlim _viewersGate = new(1, 1);
    private readonly Dictionary<Guid, LiveViewer> _viewers = [];
    // The token generation each connection was made with (under _viewersGate, like _viewers).
    private readonly Dictionary<string, int> _tokenGenerations = [];
    private readonly IHubContext<LiveHub> _hub;
    private readonly LiveFanOut _fanOut;
    private readonly LiveAccessLoader _loader;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private volatile LiveViewers _index = LiveViewers.None;
    private long _accessEpoch;
    private int _overflowed;
    private Task _pump = Task.CompletedTask;

    public TenantFeed(Guid tenantId, IHubContext<LiveHub> hub, LiveFanOut fanOut, LiveAccessLoader loader, ILogger logger)
    {
        TenantId = tenantId;
        Groups = new LiveGroups(tenantId);
        _hub = hub;
        _fanOut = fanOut;
        _loader = loader;
        _logger = logger;
        _queue = Channel.CreateBounded<TenantEvent>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Exchange(ref _overflowed, 1));
    }

    public Guid TenantId { get; }
    public LiveGroups Groups { get; }

    /// <summary>Joins held by connections on this silo; guarded by the bridge.</summary>
    public int References { get; set; }

    public StreamSubscriptionHandle<TenantEvent>? Subscription { get; set; }

    /// <summary>Counts access changes; a join whose access was read before one re-reads it.</summary>
    public long AccessEpoch => Interlocked.Read(ref _accessEpoch);

    public void Start() => _pump = Task.Run(PumpAsync);

    /// <summary>The stream's callback: never blocks the stream's delivery on a browser.</summary>
    public Task OnNextAsync(TenantEvent item, StreamSequenceToken? token)
    {
        LiveMetrics.EventReceived(item.At);
        _queue.Writer.TryWrite(item);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _pump;
    }

    /// <summary>
    /// Adds a connection with the access read at <paramref name="epoch"/>; false (nothing added) when an access
    /// change was applied since, so the caller reads the access again.
    /// </summary>
    public async Task<bool> AddConnectionAsync(string connectionId, LiveAudience audience, long epoch, int tokenGeneration)
    {
        await _viewersGate.WaitAsync();
        try
        {
            if (AccessEpoch != epoch)
            {
                return false;
            }
            var userId = audience.Access.UserId;
            var connections = _viewers.TryGetValue(userId, out var existing) ? existing.Connections : [];
            if (existing is not null && existing.Audience.Kind != audience.Kind)
            {
                // The freshest reading of the user's access applies to all their connections here.
                await MoveAsync(existing, audience);
            }
            await AddToGroupsAsync(connectionId, audience.Kind, userId);
            _tokenGenerations[connectionId] = tokenGeneration;
            _viewers[userId] = new LiveViewer(userId, audience, connections.Contains(connectionId) ? connections : [.. connections, connectionId], Groups.User(userId));
            _index = new LiveViewers(_viewers.Values);
            return true;
        }
        finally
        {
            _viewersGate.Release();
        }
    }

    public async Task RemoveConnectionAsync(string connectionId, Guid userId)
    {
        await _viewersGate.WaitAsync();
        try
        {
            if (!_viewers.TryGetValue(userId, out var viewer) || !viewer.Connections.Contains(connectionId))
            {
                return;
            }
            await RemoveFromGroupsAsync(connectionId, viewer.Audience.Kind, userId);
            _tokenGenerations.Remove(connectionId);
            var rest = viewer.Connections.Where(c => c != connectionId).ToArray();
            if (rest.Length == 0)
            {
                _viewers.Remove(userId);
            }
            else
            {
                _viewers[userId] = viewer with { Connections = rest };
            }
            _index = new LiveViewers(_viewers.Values);
        }
        finally
        {
            _viewersGate.Release();
        }
    }

    private async Task PumpAsync()
    {
        await foreach (var e in _queue.Reader.ReadAllAsync())
        {
            try
            {
                if (Interlocked.Exchange(ref _overflowed, 0) == 1)
                {
                    // A dropped event may have been an access change: re-read everyone's before going on.
                    _logger.LogWarning("Live events of tenant {TenantId} were dropped on this silo; its viewers will resync", TenantId);
                    await ApplyAccessChangeAsync(e with { Body = new TenantAccessChanged(null) }, announce: false);
                }
                if (e.Body is TenantAccessChanged changed)
                {
                    await ApplyAccessChangeAsync(e with { Body = changed }, announce: true);
                }
                else
                {
                    _fanOut.Deliver(e, Groups, _index);
                    LiveMetrics.EventSent(e.At);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogError(ex, "Delivering live event {Version} of tenant {TenantId} failed", e.Version, TenantId);
            }
        }
    }

    /// <summary>
    /// Re-reads the access of the users the event names (all when null) for their connections on this silo,
    /// before any later event is delivered: lost access → out of the groups and <c>accessRevoked</c>; changed
    /// access → moved between groups and <c>accessChanged</c> (reload the snapshot). Everyone else gets the
    /// version as <c>hidden</c>.
    /// </summary>
    private async Task ApplyAccessChangeAsync(TenantEvent e, bool announce)
    {
        var userId = ((TenantAccessChanged)e.Body).UserId;
        await _viewersGate.WaitAsync();
        try
        {
            Interlocked.Increment(ref _accessEpoch);
            var affected = userId is { } one
                ? (_viewers.TryGetValue(one, out var v) ? [v] : Array.Empty<LiveViewer>())
                : _viewers.Values.ToArray();
            foreach (var viewer in affected)
            {
                var audience = await LoadOrRevokeAsync(viewer.UserId);
                // Connections made with a token from before a password change or "sign out everywhere" end too.
                var ended = audience is null
                    ? viewer.Connections
                    : viewer.Connections.Where(c => _tokenGenerations.GetValueOrDefault(c) < audience.TokenGeneration).ToArray();
                if (ended.Count > 0)
                {
                    await RevokeAsync(viewer, ended, e.Version);
                }
                var staying = ended.Count == 0 ? viewer : viewer with { Connections = viewer.Connections.Except(ended).ToArray() };
                if (audience is null || staying.Connections.Count == 0)
                {
                    _viewers.Remove(viewer.UserId);
                    continue;
                }
                if (audience.Kind != staying.Audience.Kind)
                {
                    await MoveAsync(staying, audience);
                }
                _viewers[viewer.UserId] = staying with { Audience = audience };
                if (announce)
                {
                    _fanOut.SendTo(staying.Connections, LiveMethods.Event, LiveEvent.AccessChanged(e));
                }
            }
            _index = new LiveViewers(_viewers.Values);
        }
        finally
        {
            _viewersGate.Release();
        }
        if (announce)
        {
            // Sent after accessChanged, so an affected connection sees that first and ignores this duplicate version.
            _fanOut.DeliverHidden(e, Groups);
        }
    }

    private async Task RevokeAsync(LiveViewer viewer, IReadOnlyList<string> connections, long version)
    {
        foreach (var connection in connections)
        {
            await RemoveFromGroupsAsync(connection, viewer.Audience.Kind, viewer.UserId);
            _tokenGenerations.Remove(connection);
        }
        _fanOut.SendTo(connections, LiveMethods.AccessRevoked, new LiveAccessRevoked(TenantId, version));
        _logger.LogInformation("Live access of user {UserId} to tenant {TenantId} was revoked on {Connections} connection(s)", viewer.UserId, TenantId, connections.Count);
    }

    private async Task<LiveAudience?> LoadOrRevokeAsync(Guid userId)
    {
        try
        {
            return await _loader.LoadAsync(userId, TenantId, _stopping.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Fail closed: if the access cannot be confirmed, the user's live view ends; the client can join again.
            _logger.LogWarning(ex, "Re-reading live access of user {UserId} to tenant {TenantId} failed; revoking", userId, TenantId);
            return null;
        }
    }

    private async Task MoveAsync(LiveViewer viewer, LiveAudience audience)
    {
        foreach (var connection in viewer.Connections)
        {
            await RemoveFromGroupsAsync(connection, viewer.Audience.Kind, viewer.UserId);
            await AddToGroupsAsync(connection, audience.Kind, viewer.UserId);
        }
    }

    private async Task AddToGroupsAsync(string connectionId, LiveAudienceKind kind, Guid userId)
    {
        foreach (var group in Groups.For(kind, userId))
        {
            await _hub.Groups.AddToGroupAsync(connectionId, group);
        }
    }

    private async Task RemoveFromGroupsAsync(string connectionId, LiveAudienceKind kind, Guid userId)
    {
        foreach (var group in Groups.For(kind, userId))
        {
            await _hub.Groups.RemoveFromGroupAsync(connectionId, group);
        }
    }
}
