using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nexus.Contracts.Events;
using Nexus.Contracts.Hosting;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Tenants;
using Nexus.Data.Access;
using Nexus.Data.Metrics;
using Nexus.Grains.Audit;
using Nexus.Proxmox.Connections;

namespace Nexus.Grains.Servers;

/// <summary>
/// The grain of one Proxmox server: lifecycle (reload, retire, timer, reminder) here; polling in
/// <c>ProxmoxServerGrain.Poll.cs</c>; calls passed through to Proxmox in <c>ProxmoxServerGrain.Calls.cs</c>.
/// <para>
/// Polls run on a grain timer that does not interleave, so a poll, <see cref="Reload"/>, <see cref="Retire"/> and
/// <see cref="PollNow"/> never overlap and see consistent state. Reads and pass-through calls are
/// <c>[AlwaysInterleave]</c> on the interface: they only read the last snapshot (an immutable object replaced
/// in one assignment) and use the connection (thread-safe), so they never wait behind a slow poll.
/// </para>
/// <para>
/// Keeping polling alive: the timer is <c>KeepAlive</c>, so an armed activation is never collected; a reminder
/// every <see cref="ReminderPeriod"/> re-arms the grain after its activation was lost (silo crash, full cluster
/// restart — reminders live in PostgreSQL) and re-reads the configuration; and any activation of an armed grain
/// (a listing reading its snapshot) re-arms it at once. That is the one mechanism: no start-up task.
/// </para>
/// </summary>
internal sealed partial class ProxmoxServerGrain(
    [PersistentState("proxmox-server", OrleansNames.GrainStorage)] IPersistentState<ServerGrainState> state,
    IServerConfigSource configs,
    ServerConnectionFactory connections,
    ConnectionMetricsStore metrics,
    INexusDatabase database,
    SystemAudit audit,
    TimeProvider time,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    ILogger<ProxmoxServerGrain> logger) : Grain, IProxmoxServerGrain, IRemindable
{
    internal const string ReminderName = "keep-polling";
    internal static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(5);

    private readonly ConcurrentQueue<EndpointSwitchedEventArgs> _switches = new();
    private readonly HealthJudge _health = new();
    private ServerRuntimeConfig? _config;
    private ProxmoxConnection? _connection;
    private IGrainTimer? _timer;

    // The first poll runs at once (a server just added shows its state, a restarted silo catches up); the second
    // comes after a random part of the interval instead of all of it, so servers registered or reactivated together
    // (an import, a silo restart) do not poll Proxmox, write rows and publish their events in step forever after.
    private bool _phasePending;
    private ServerSnapshot? _snapshot;
    private Dictionary<(string Type, int VmId), GuestState> _published = [];

    private Guid ServerId => this.GetPrimaryKey();

    private ITenantGrain Tenant => GrainFactory.GetGrain<ITenantGrain>(state.State.TenantId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _published = state.State.Guests.ToDictionary(g => (g.Type, g.VmId));
        _snapshot = BuildSnapshot(state.State.Guests, state.State.Nodes, state.State.Storage);
        if (state.State.Armed)
        {
            try
            {
                await ArmAsync(forceNewConnection: true, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The reminder tries again; the activation must not fail because the database hiccuped.
                logger.LogWarning(ex, "Server {ServerId}: could not resume polling on activation", ServerId);
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (state.State.Armed && _connection is not null)
        {
            state.State.Timeouts = PersistedTimeout.From(_connection.Timeouts.Snapshot());
            state.State.Guests = _published.Values.OrderBy(g => g.VmId).ToList();
            await TryWriteStateAsync();
        }
        if (state.State.Armed && reason.ReasonCode == DeactivationReasonCode.ShuttingDown && AnotherSiloIsActive())
        {
            // A graceful silo stop (a rolling upgrade) must not leave the server unpolled until the reminder's next
            // tick: a call to ourselves is forwarded to a new activation on a silo that stays, which re-arms. One-way:
            // nothing comes back to observe; if it is lost, the reminder is the fallback.
            _ = this.AsReference<IProxmoxServerGrain>().Wake();
        }
        DisposeConnection();
    }

    // The last silo of a stopping cluster has nowhere to send the grain; the reminder resumes it after a restart.
    private bool AnotherSiloIsActive() =>
        membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(localSilo.SiloAddress));

    // Activation (OnActivateAsync) is the whole work.
    public Task Wake() => Task.CompletedTask;

    public async Task Reload() => await ArmAsync(forceNewConnection: true, CancellationToken.None);

    public async Task Retire()
    {
        _timer?.Dispose();
        _timer = null;
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        DisposeConnection();
        var tenantId = state.State.TenantId;
        var removed = _published.Values.Select(g => new Contracts.Identity.VmAddress(g.ServerId, g.Type, g.VmId)).ToList();
        await state.ClearStateAsync();
        _published = [];
        _snapshot = BuildSnapshot([], [], []);
        if (tenantId != Guid.Empty)
        {
            var tenant = GrainFactory.GetGrain<ITenantGrain>(tenantId);
            tenant.RemoveServer(ServerId).Ignore();
            foreach (var part in removed.Chunk(GuestsPerEvent))
            {
                await tenant.Publish(new VmStatesChanged(ServerId, [], part));
            }
            await tenant.Publish(new ServerStatusChanged(Status() with { TenantId = tenantId, Health = ServerHealth.Disabled }));
        }
        _config = null;
        logger.LogInformation("Server {ServerId} retired: polling stopped", ServerId);
        DeactivateOnIdle();
    }

    public Task<ServerStatus> GetStatus() => Task.FromResult(Status());

    public Task<ServerSnapshot> GetSnapshot() => Task.FromResult((_snapshot ?? BuildSnapshot([], [], [])) with { Status = Status() });

    public Task<GuestState?> GetGuest(string guestType, int vmId) =>
        Task.FromResult(_snapshot?.Guests.FirstOrDefault(g => g.VmId == vmId && g.Type == guestType));

    public Task<IReadOnlyList<LearnedTimeout>> GetLearnedTimeouts()
    {
        var snapshot = _connection?.Timeouts.Snapshot() ?? PersistedTimeout.ToSnapshot(state.State.Timeouts);
        var primary = _config?.Proxmox.Primary.ToString();
        IReadOnlyList<LearnedTimeout> list = snapshot.Entries.Select(e => new LearnedTimeout(
            e.Endpoint == primary || primary is null ? EndpointRole.Primary : EndpointRole.Secondary,
            e.RequestClass.ToString().ToLowerInvariant(), e.State.TimeoutMs, e.State.SmoothedMs, e.State.VarianceMs,
            e.State.Samples, e.State.LastUpdate)).ToList();
        return Task.FromResult(list);
    }

    public async Task<ServerStatus> PollNow()
    {
        if (_connection is not null)
        {
            await PollAsync(CancellationToken.None);
        }
        return Status();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }
        // Also the safety net for a missed Retire (a delete while this silo was down): the configuration decides.
        await ArmAsync(forceNewConnection: false, CancellationToken.None);
    }

    /// <summary>Loads the configuration and polls while the server is active; retires it otherwise.</summary>
    private async Task ArmAsync(bool forceNewConnection, CancellationToken ct)
    {
        var config = await configs.LoadAsync(ServerId, ct);
        if (config is null || !config.IsActive)
        {
            if (state.State.Armed || _timer is not null)
            {
                await Retire();
            }
            return;
        }
        var previous = _config;
        _config = config;
        if (forceNewConnection || _connection is null || previous is null || !SameEndpoints(previous, config))
        {
            var timeouts = _connection?.Timeouts.Snapshot() ?? PersistedTimeout.ToSnapshot(state.State.Timeouts);
            DisposeConnection();
            _connection = connections.Create(config.Proxmox, timeouts, ServerId);
            _connection.EndpointSwitched += OnEndpointSwitched;
        }
        if (_timer is null || previous?.PollInterval != config.PollInterval)
        {
            _timer?.Dispose();
            _timer = this.RegisterGrainTimer(PollAsync, new GrainTimerCreationOptions
            {
                DueTime = TimeSpan.Zero,
                Period = config.PollInterval,
                Interleave = false,
                KeepAlive = true,
            });
            _phasePending = true;
        }
        await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
        var changed = !state.State.Armed || state.State.TenantId != config.TenantId || state.State.Name != config.Name;
        state.State.Armed = true;
        state.State.TenantId = config.TenantId;
        state.State.Name = config.Name;
        if (changed)
        {
            await state.WriteStateAsync();
        }
        GrainFactory.GetGrain<ITenantGrain>(config.TenantId).AddServer(ServerId).Ignore();
    }

    // The reminder's check. A new secret for the same token id cannot be compared (the client never exposes it);
    // an edit of the token calls Reload, which always builds a new connection.
    private static bool SameEndpoints(ServerRuntimeConfig a, ServerRuntimeConfig b) =>
        a.Proxmox.Primary == b.Proxmox.Primary && a.Proxmox.Secondary == b.Proxmox.Secondary
        && Equals(a.Proxmox.Trust, b.Proxmox.Trust) && Equals(a.Proxmox.SecondaryTrust, b.Proxmox.SecondaryTrust)
        && a.Proxmox.Token.TokenId == b.Proxmox.Token.TokenId;

    // Runs on a Proxmox client thread: only queue it; the next poll turns it into an event and an audit row.
    private void OnEndpointSwitched(object? sender, EndpointSwitchedEventArgs e) => _switches.Enqueue(e);

    private void DisposeConnection()
    {
        if (_connection is { } connection)
        {
            connection.EndpointSwitched -= OnEndpointSwitched;
            _connection = null;
            // Interleaved calls (power actions, RRD) may still be using it; let them finish before disposing.
            _ = Task.Delay(TimeSpan.FromSeconds(30), time).ContinueWith(_ => connection.Dispose(), TaskScheduler.Default);
        }
    }

    private async Task TryWriteStateAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Server {ServerId}: could not persist operational state", ServerId);
        }
    }

    private ServerStatus Status()
    {
        var s = state.State;
        var snapshot = _snapshot;
        return new ServerStatus(ServerId, s.TenantId, _config is null && !s.Armed ? ServerHealth.Unknown : s.Health,
            _connection?.IsOnSecondary == true ? EndpointRole.Secondary : EndpointRole.Primary,
            _lastPollAt, s.LastSuccessAt, _lastError, _health.SuccessRatePercent, _health.AverageLatencyMs, s.ProxmoxVersion,
            snapshot?.Nodes.Count ?? 0, snapshot?.Guests.Count ?? 0, _config?.Name ?? s.Name);
    }

    private ServerSnapshot BuildSnapshot(IReadOnlyList<GuestState> guests, IReadOnlyList<NodeState> nodes, IReadOnlyList<StorageState> storage)
    {
        var placeholder = new ServerStatus(ServerId, state.State.TenantId, ServerHealth.Unknown, EndpointRole.Primary, null, null, null, 100, null, null,
            nodes.Count, guests.Count, state.State.Name);
        return new ServerSnapshot(placeholder, guests, nodes, storage);
    }
}
