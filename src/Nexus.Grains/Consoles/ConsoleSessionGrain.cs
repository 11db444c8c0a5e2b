using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Contracts.Consoles;
using Nexus.Contracts.Events;
using Nexus.Contracts.Hosting;
using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Tenants;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Grains.Audit;
using Orleans.Placement;

namespace Nexus.Grains.Consoles;

/// <summary>
/// One console session's life (pending → connecting → active → closed), its leases, its record and its audit rows.
/// <para>
/// Placed on the silo that handled the open. The pump runs wherever the browser's socket landed and never needs this
/// grain on its byte path: if this grain's silo dies, the pump's next heartbeat re-activates it elsewhere from its
/// persisted state, and the heartbeat brings the pump's observer along. If the pump's silo dies, heartbeats stop and
/// a <c>KeepAlive</c> timer closes the session as "relay lost" after <see cref="ConsoleOptions.HeartbeatTimeout"/>.
/// </para>
/// </summary>
[PreferLocalPlacement]
internal sealed class ConsoleSessionGrain(
    [PersistentState("console-session", OrleansNames.GrainStorage)] IPersistentState<ConsoleSessionGrainState> state,
    IOptions<ConsoleOptions> options,
    ConsoleSessionStore records,
    INexusDatabase database,
    SystemAudit audit,
    TimeProvider time,
    ILogger<ConsoleSessionGrain> logger) : Grain, IConsoleSessionGrain
{
    private static readonly TimeSpan ObserverCallTimeout = TimeSpan.FromSeconds(5);

    private readonly ConsoleOptions _options = options.Value;
    private IConsolePumpObserver? _observer;
    private IGrainTimer? _timer;
    private DateTimeOffset _lastHeartbeat;
    private DateTimeOffset _leasesRenewed;
    private ConsoleKiller? _killer;

    private Guid SessionId => this.GetPrimaryKey();

    private ConsoleSessionGrainState S => state.State;

    private VmAddress Vm => new(S.ServerId, S.GuestType, S.VmId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Opened && S.State != ConsoleSessionState.Closed)
        {
            // A re-activation (this grain's previous silo died, or it was collected): the pump gets one full timeout
            // to report in before the session counts as lost.
            _lastHeartbeat = time.GetUtcNow();
            StartTimer();
        }
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (S.Opened && S.State == ConsoleSessionState.Closed)
        {
            // The record in PostgreSQL is the history; the grain row is operational only. A pump that still reports
            // later finds no session and is told to close (4001).
            try
            {
                await state.ClearStateAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Console {SessionId}: could not clear the closed session's state", SessionId);
            }
        }
    }

    public async Task<ConsoleOpenResult> Open(ConsoleOpenRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (S.Opened)
        {
            return new ConsoleOpenResult(S.State == ConsoleSessionState.Pending, S.ExpiresAt, null);
        }
        var now = time.GetUtcNow();
        var leases = new[]
        {
            (Key: ConsoleLeaseKeys.User(request.UserId), Limit: request.Limits.PerUser, Name: "user"),
            (Key: ConsoleLeaseKeys.Tenant(request.TenantId), Limit: request.Limits.PerTenant, Name: "tenant"),
            (Key: ConsoleLeaseKeys.Node(request.Vm.ServerId, request.Node), Limit: request.Limits.PerNode, Name: "node"),
        };
        var taken = new List<string>();
        foreach (var lease in leases)
        {
            if (!await GrainFactory.GetGrain<IConsoleLeaseGrain>(lease.Key).TryAcquire(SessionId, lease.Limit, _options.LeaseLifetime))
            {
                await ReleaseAsync(taken);
                DeactivateOnIdle();
                return new ConsoleOpenResult(false, now, lease.Name);
            }
            taken.Add(lease.Key);
        }

        state.State = new ConsoleSessionGrainState
        {
            Opened = true,
            State = ConsoleSessionState.Pending,
            TenantId = request.TenantId,
            UserId = request.UserId,
            UserEmail = request.UserEmail,
            ServerId = request.Vm.ServerId,
            GuestType = request.Vm.GuestType,
            VmId = request.Vm.VmId,
            Node = request.Node,
            VmName = request.VmName,
            ViewOnly = request.ViewOnly,
            IdleTimeout = request.IdleTimeout,
            MaxDuration = request.MaxDuration,
            TokenHash = request.TokenHash,
            ExpiresAt = now + _options.TokenLifetime,
            OpenedAt = now,
            ClientIp = request.ClientIp,
            UserAgent = request.UserAgent,
            Leases = taken,
        };
        try
        {
            // The record first: a session that cannot be recorded is not opened.
            await database.AsSystemAsync(async session =>
            {
                await records.InsertAsync(session, SessionId, S.TenantId, S.UserId, S.ServerId, S.GuestType, S.VmId, S.Node, S.ViewOnly,
                    now, IPAddress.TryParse(S.ClientIp, out var ip) ? ip : null);
                return true;
            }, CancellationToken.None);
            await state.WriteStateAsync();
        }
        catch
        {
            await ReleaseAsync(taken);
            state.State = new ConsoleSessionGrainState();
            DeactivateOnIdle();
            throw;
        }
        _leasesRenewed = now;
        StartTimer();
        await AuditAsync(ConsoleAuditActions.Opened, AuditOutcome.Success, S.UserId, S.ClientIp, S.UserAgent,
            new Dictionary<string, object?> { ["viewOnly"] = S.ViewOnly, ["expiresAt"] = S.ExpiresAt });
        await PublishAsync();
        return new ConsoleOpenResult(true, S.ExpiresAt, null);
    }

    public async Task<ConsoleClaim> Claim(byte[] tokenHash, Guid? callerUserId, ConsolePumpSilo pump)
    {
        ArgumentNullException.ThrowIfNull(tokenHash);
        ArgumentNullException.ThrowIfNull(pump);
        if (!S.Opened)
        {
            DeactivateOnIdle();
            return ConsoleClaim.Refused(ConsoleCloseCodes.TokenInvalid, "unknown console session");
        }
        if (S.State == ConsoleSessionState.Closed)
        {
            return await RefuseAsync(ConsoleCloseCodes.TokenInvalid, "console session ended", callerUserId);
        }
        if (S.State != ConsoleSessionState.Pending || S.TokenHash is null)
        {
            return await RefuseAsync(ConsoleCloseCodes.TokenInvalid, "token already used", callerUserId);
        }
        // Constant time: the comparison must not tell a guesser how many leading bytes were right.
        if (!CryptographicOperations.FixedTimeEquals(tokenHash, S.TokenHash))
        {
            return await RefuseAsync(ConsoleCloseCodes.TokenInvalid, "token invalid", callerUserId);
        }
        if (time.GetUtcNow() > S.ExpiresAt)
        {
            await CloseAsync(ConsoleCloseCodes.TokenInvalid, "token expired before use", "policy", null);
            return await RefuseAsync(ConsoleCloseCodes.TokenInvalid, "token expired", callerUserId);
        }
        if (callerUserId is { } caller && caller != S.UserId)
        {
            // Someone else's token (leaked or stolen): refused, and the session stays usable by its owner.
            return await RefuseAsync(ConsoleCloseCodes.Forbidden, "token issued to another user", callerUserId);
        }

        // The claim: single use from here on, even if this activation dies (the state is written before answering).
        S.State = ConsoleSessionState.Connecting;
        S.TokenHash = null;
        S.PumpSilo = pump.Silo;
        _observer = pump.Observer;
        _lastHeartbeat = time.GetUtcNow();
        await state.WriteStateAsync();
        await RecordAsync(session => records.SetPumpAsync(session, SessionId, pump.Silo));
        await PublishAsync();
        return new ConsoleClaim(new ConsoleTarget(S.TenantId, S.UserId, Vm, S.Node, S.ViewOnly, S.IdleTimeout, S.MaxDuration), 0, null);
    }

    private async Task<ConsoleClaim> RefuseAsync(int code, string reason, Guid? callerUserId)
    {
        await AuditAsync(ConsoleAuditActions.Denied, AuditOutcome.Denied, callerUserId ?? S.UserId, null, null,
            new Dictionary<string, object?> { ["closeCode"] = code, ["reason"] = reason, ["authenticatedCaller"] = callerUserId is not null });
        return ConsoleClaim.Refused(code, reason);
    }

    public async Task<VncProxyGrant> Connect()
    {
        if (!S.Opened || S.State != ConsoleSessionState.Connecting)
        {
            return VncProxyGrant.Failed("The console session is not being connected.", null);
        }
        var grant = await GrainFactory.GetGrain<IProxmoxServerGrain>(S.ServerId).OpenVncProxy(S.GuestType, S.VmId, S.Node);
        if (!grant.Succeeded)
        {
            S.GrantError = grant.StatusCode is { } status
                ? string.Create(CultureInfo.InvariantCulture, $"Proxmox refused vncproxy (HTTP {status}): {grant.Error}")
                : $"Proxmox vncproxy failed: {grant.Error}";
        }
        return grant;
    }

    public async Task MarkActive(DateTimeOffset startedAt)
    {
        if (!S.Opened || S.State != ConsoleSessionState.Connecting)
        {
            return;
        }
        S.State = ConsoleSessionState.Active;
        S.StartedAt = startedAt;
        _lastHeartbeat = time.GetUtcNow();
        await state.WriteStateAsync();
        await RecordAsync(session => records.SetStartedAsync(session, SessionId, startedAt));
        await PublishAsync();
    }

    public async Task<ConsoleHeartbeatReply> Heartbeat(ConsoleHeartbeat heartbeat)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        if (!S.Opened)
        {
            DeactivateOnIdle();
            return new ConsoleHeartbeatReply(ConsoleCloseCodes.TokenInvalid, "unknown console session");
        }
        if (S.State == ConsoleSessionState.Closed)
        {
            return new ConsoleHeartbeatReply(S.CloseCode ?? ConsoleCloseCodes.Normal, S.CloseReason ?? "console ended");
        }
        if (S.State == ConsoleSessionState.Pending)
        {
            // A pump for a session nobody claimed: not ours.
            return new ConsoleHeartbeatReply(ConsoleCloseCodes.TokenInvalid, "console session not claimed");
        }
        _observer = heartbeat.Pump.Observer;
        _lastHeartbeat = time.GetUtcNow();
        S.BytesToGuest = heartbeat.BytesToGuest;
        S.BytesFromGuest = heartbeat.BytesFromGuest;
        if (S.PumpSilo != heartbeat.Pump.Silo)
        {
            S.PumpSilo = heartbeat.Pump.Silo;
            await state.WriteStateAsync();
        }
        if (heartbeat.Relaying && S.State == ConsoleSessionState.Connecting)
        {
            await MarkActive(_lastHeartbeat);
        }
        return ConsoleHeartbeatReply.Continue;
    }

    public async Task Complete(ConsoleEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        if (!S.Opened || S.State == ConsoleSessionState.Closed)
        {
            return;
        }
        var reason = end.CloseCode == ConsoleCloseCodes.ProxmoxUnreachable && S.GrantError is { } grantError ? grantError : end.CloseReason;
        await CloseAsync(end.CloseCode, reason, end.Initiator, (end.BytesToGuest, end.BytesFromGuest));
    }

    public async Task<bool> Kill(ConsoleKiller killer)
    {
        ArgumentNullException.ThrowIfNull(killer);
        if (!S.Opened || S.State == ConsoleSessionState.Closed)
        {
            return false;
        }
        _killer = killer;
        await AuditAsync(ConsoleAuditActions.Killed, AuditOutcome.Success, killer.UserId, killer.ClientIp, killer.UserAgent,
            new Dictionary<string, object?> { ["sessionUserId"] = S.UserId, ["state"] = S.State.ToString().ToLowerInvariant() });
        const string reason = "disconnected by an administrator";
        if (S.State != ConsoleSessionState.Pending && _observer is { } observer)
        {
            try
            {
                if (await observer.Close(SessionId, ConsoleCloseCodes.AdminDisconnect, reason).WaitAsync(ObserverCallTimeout))
                {
                    // The pump closes the browser with 4030 and reports its outcome through Complete.
                    return true;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogInformation("Console {SessionId}: the pump's silo {Silo} did not take the kill ({Error}); closing here",
                    SessionId, S.PumpSilo, ex.GetType().Name);
            }
        }
        // Not claimed yet, or the pump cannot be reached: close here; a pump that reports later is told to close.
        await CloseAsync(ConsoleCloseCodes.AdminDisconnect, reason, "control", null);
        return true;
    }

    public Task<ConsoleSessionInfo?> GetInfo()
    {
        if (!S.Opened)
        {
            DeactivateOnIdle();
            return Task.FromResult<ConsoleSessionInfo?>(null);
        }
        return Task.FromResult<ConsoleSessionInfo?>(new ConsoleSessionInfo(SessionId, S.TenantId, S.UserId, Vm, S.Node, S.ViewOnly, S.State,
            S.OpenedAt, S.StartedAt, S.EndedAt, S.PumpSilo, S.BytesToGuest, S.BytesFromGuest,
            S.State is ConsoleSessionState.Connecting or ConsoleSessionState.Active ? _lastHeartbeat : null, S.CloseCode, S.CloseReason));
    }

    private void StartTimer() =>
        _timer ??= this.RegisterGrainTimer(CheckAsync, new GrainTimerCreationOptions
        {
            DueTime = _options.CheckPeriod,
            Period = _options.CheckPeriod,
            Interleave = false,
            // While the session lives the activation must not be collected: it owns the token expiry and the
            // lost-relay check (idle collection ignores the socket traffic it does not see).
            KeepAlive = true,
        });

    private async Task CheckAsync(CancellationToken ct)
    {
        if (!S.Opened || S.State == ConsoleSessionState.Closed)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }
        var now = time.GetUtcNow();
        if (S.State == ConsoleSessionState.Pending && now > S.ExpiresAt)
        {
            await CloseAsync(ConsoleCloseCodes.TokenInvalid, "token expired before use", "policy", null);
            return;
        }
        if (S.State is ConsoleSessionState.Connecting or ConsoleSessionState.Active && now - _lastHeartbeat > _options.HeartbeatTimeout)
        {
            logger.LogWarning("Console {SessionId}: no heartbeat from its pump on {Silo} for {Seconds:0} s; closing it as relay lost",
                SessionId, S.PumpSilo, (now - _lastHeartbeat).TotalSeconds);
            await CloseAsync(ConsoleCloseCodes.RelayLost, "relay lost", "relay", null);
            return;
        }
        if (now - _leasesRenewed >= _options.LeaseLifetime / 3)
        {
            _leasesRenewed = now;
            try
            {
                // Bounded: a lease grain on a silo that just died would otherwise hold this non-reentrant timer for the
                // whole response timeout, and with it the lost-relay check above. A missed renewal is retried next time.
                await Task.WhenAll(S.Leases.Select(key => GrainFactory.GetGrain<IConsoleLeaseGrain>(key).Renew(SessionId, _options.LeaseLifetime)))
                    .WaitAsync(_options.CheckPeriod, ct);
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException)
            {
                logger.LogWarning("Console {SessionId}: lease renewal did not complete ({Error}); retrying on the next check", SessionId, ex.GetType().Name);
                _leasesRenewed = default;
            }
        }
    }

    private async Task CloseAsync(int code, string reason, string initiator, (long ToGuest, long FromGuest)? bytes)
    {
        var now = time.GetUtcNow();
        S.State = ConsoleSessionState.Closed;
        S.EndedAt = now;
        S.CloseCode = code;
        S.CloseReason = reason;
        S.TokenHash = null;
        if (bytes is { } b)
        {
            S.BytesToGuest = b.ToGuest;
            S.BytesFromGuest = b.FromGuest;
        }
        _timer?.Dispose();
        _timer = null;
        await state.WriteStateAsync();
        await RecordAsync(session => records.CloseAsync(session, SessionId, now, S.BytesToGuest, S.BytesFromGuest, code, reason, S.PumpSilo));
        await ReleaseAsync(S.Leases);
        var details = new Dictionary<string, object?>
        {
            ["closeCode"] = code,
            ["closeReason"] = reason,
            ["initiator"] = initiator,
            ["bytesToGuest"] = S.BytesToGuest,
            ["bytesFromGuest"] = S.BytesFromGuest,
            ["pumpSilo"] = S.PumpSilo,
            ["startedAt"] = S.StartedAt,
        };
        if (_killer is { } killer)
        {
            details["killedBy"] = killer.UserId;
        }
        await AuditAsync(ConsoleAuditActions.Closed, AuditOutcome.Success, S.UserId, S.ClientIp, S.UserAgent, details);
        await PublishAsync();
    }

    private async Task ReleaseAsync(IEnumerable<string> keys)
    {
        try
        {
            // Bounded like the renewals: a lease on a dead silo must not hold the session's close for the response timeout.
            await Task.WhenAll(keys.Select(key => GrainFactory.GetGrain<IConsoleLeaseGrain>(key).Release(SessionId))).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An unreleased lease runs out by itself.
            logger.LogWarning(ex, "Console {SessionId}: could not release its leases", SessionId);
        }
    }

    private async Task RecordAsync<T>(Func<DbSession, Task<T>> write)
    {
        try
        {
            await database.AsSystemAsync(write, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Console {SessionId}: could not update its session record", SessionId);
        }
    }

    private async Task RecordAsync(Func<DbSession, Task> write) => await RecordAsync(async session =>
    {
        await write(session);
        return true;
    });

    private async Task AuditAsync(string action, AuditOutcome outcome, Guid actor, string? clientIp, string? userAgent, Dictionary<string, object?> details)
    {
        details["sessionId"] = SessionId;
        details["serverId"] = S.ServerId;
        details["guestType"] = S.GuestType;
        details["vmId"] = S.VmId;
        details["node"] = S.Node;
        await audit.WriteAsync(new AuditEntry(S.TenantId, actor, action, outcome, ConsoleAuditActions.SessionTarget,
            SessionId.ToString(), S.VmName ?? string.Create(CultureInfo.InvariantCulture, $"{S.GuestType}/{S.VmId}"),
            JsonSerializer.Serialize(details), IPAddress.TryParse(clientIp, out var ip) ? ip : null, userAgent));
    }

    private async Task PublishAsync()
    {
        try
        {
            // Bounded: if the tenant's grain sits on a silo that just died, this session must not stall (and with it
            // the lost-relay check) until membership declares the silo dead or the response timeout passes.
            await GrainFactory.GetGrain<ITenantGrain>(S.TenantId).Publish(
                new ConsoleSessionChanged(SessionId, S.UserId, Vm, S.State, S.CloseCode, S.CloseReason)).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Console {SessionId}: could not publish its state", SessionId);
        }
    }
}
