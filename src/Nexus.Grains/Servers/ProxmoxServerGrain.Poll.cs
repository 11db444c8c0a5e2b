using Microsoft.Extensions.Logging;
using Nexus.Contracts.Events;
using Nexus.Contracts.Servers;
using Nexus.Data.Audit;
using Nexus.Data.Metrics;
using Nexus.Grains.Audit;
using Nexus.Grains.Telemetry;
using Nexus.Proxmox.Errors;

namespace Nexus.Grains.Servers;

/// <summary>One poll: read <c>/cluster/resources</c>, diff, judge health, publish, record, persist.</summary>
internal sealed partial class ProxmoxServerGrain
{
    /// <summary>A poll's outcome goes to the metrics table at most this often, plus at every success/failure change.</summary>
    internal static readonly TimeSpan SampleEvery = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan PersistBaselineEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PersistTimeoutsEvery = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan VersionEvery = TimeSpan.FromMinutes(10);

    /// <summary>A delay in [10 %, 100 %) of <paramref name="interval"/>: the second poll comes sooner than the period would have it, never later.</summary>
    internal static TimeSpan SpreadPhase(TimeSpan interval) =>
        TimeSpan.FromTicks((long)(interval.Ticks * (0.1 + (0.9 * Random.Shared.NextDouble()))));

    private DateTimeOffset? _lastPollAt;
    private string? _lastError;
    private DateTimeOffset _armedAt = DateTimeOffset.MinValue;
    private DateTimeOffset? _lastSampleAt;
    private bool? _lastSampleSuccess;
    private DateTimeOffset _lastBaselineWrite = DateTimeOffset.MinValue;
    private DateTimeOffset _lastTimeoutsWrite = DateTimeOffset.MinValue;
    private DateTimeOffset _lastVersionCheck = DateTimeOffset.MinValue;
    private bool _baselineDirty;

    private async Task PollAsync(CancellationToken ct)
    {
        var connection = _connection;
        var config = _config;
        if (connection is null || config is null)
        {
            return;
        }
        if (_phasePending && _timer is { } timer)
        {
            _phasePending = false;
            timer.Change(SpreadPhase(config.PollInterval), config.PollInterval);
        }
        var now = time.GetUtcNow();
        if (_armedAt == DateTimeOffset.MinValue)
        {
            _armedAt = now;
        }
        var before = Status();
        bool success;
        double? latencyMs = null;
        var endpoint = connection.IsOnSecondary ? EndpointRole.Secondary : EndpointRole.Primary;
        VmStatesChanged? delta = null;
        try
        {
            var response = await connection.GetClusterResourcesAsync(null, ct);
            success = true;
            latencyMs = response.Latency.TotalMilliseconds;
            endpoint = response.Endpoint == config.Proxmox.Primary ? EndpointRole.Primary : EndpointRole.Secondary;
            var (guests, nodes, storage) = ResourceMapper.Map(ServerId, response.Value);
            _snapshot = BuildSnapshot(guests, nodes, storage);
            var (changed, removed) = GuestDiff.Compute(_published, guests);
            if (changed.Count > 0 || removed.Count > 0)
            {
                foreach (var guest in changed)
                {
                    _published[(guest.Type, guest.VmId)] = guest;
                }
                foreach (var gone in removed)
                {
                    _published.Remove((gone.GuestType, gone.VmId));
                }
                delta = new VmStatesChanged(ServerId, changed, removed);
                _baselineDirty = true;
            }
            _lastError = null;
            state.State.LastSuccessAt = now;
            state.State.Nodes = nodes;
            state.State.Storage = storage;
            if (now - _lastVersionCheck >= VersionEvery)
            {
                _lastVersionCheck = now;
                try
                {
                    state.State.ProxmoxVersion = (await connection.GetVersionAsync(ct)).Value.Version;
                }
                catch (ProxmoxException ex)
                {
                    // The poll itself succeeded; the version is shown, not needed.
                    logger.LogInformation("Server {ServerId}: version check failed: {Error}", ServerId, ex.Message);
                }
            }
        }
        catch (ProxmoxException ex)
        {
            success = false;
            _lastError = ex is ProxmoxUnreachableException u ? $"unreachable ({u.Reason})" : ex.Message;
            endpoint = connection.IsOnSecondary ? EndpointRole.Secondary : EndpointRole.Primary;
            logger.LogInformation("Server {ServerId}: poll failed: {Error}", ServerId, ex.Message);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        if (!ReferenceEquals(connection, _connection))
        {
            // Retired or reloaded while the request was in flight; the new configuration polls afresh.
            return;
        }
        _lastPollAt = now;
        InventoryMetrics.PollCompleted(success);
        _health.Record(now, success, latencyMs);
        var outageSince = state.State.LastSuccessAt ?? _armedAt;
        var (health, alert) = _health.Judge(state.State.Health, success, now, outageSince, config.Thresholds);
        var healthChanged = health != state.State.Health;
        state.State.Health = health;

        if (delta is not null)
        {
            // The memory stream queue refuses messages over about 1 MB; a first poll of 10,000 guests is more.
            foreach (var part in Chunk(delta))
            {
                await Tenant.Publish(part);
            }
        }
        var after = Status();
        if (before.Health != after.Health || before.ActiveEndpoint != after.ActiveEndpoint
            || before.ProxmoxVersion != after.ProxmoxVersion || before.NodeCount != after.NodeCount || before.LastError != after.LastError
            || before.Name != after.Name)
        {
            await Tenant.Publish(new ServerStatusChanged(after));
        }
        if (alert is { } kind && config.Thresholds.NotifyOnOffline)
        {
            await RaiseAlertAsync(kind, config, after);
        }
        await ReportSwitchesAsync(config);
        await SampleAsync(now, success, latencyMs, endpoint, _lastError, config);
        await PersistAsync(now, healthChanged, connection);
    }

    /// <summary>At most this many guests per <see cref="VmStatesChanged"/> event (about 150 KB).</summary>
    internal const int GuestsPerEvent = 1000;

    private static IEnumerable<VmStatesChanged> Chunk(VmStatesChanged delta)
    {
        if (delta.Changed.Count + delta.Removed.Count <= GuestsPerEvent)
        {
            yield return delta;
            yield break;
        }
        foreach (var changed in delta.Changed.Chunk(GuestsPerEvent))
        {
            yield return new VmStatesChanged(delta.ServerId, changed, []);
        }
        foreach (var removed in delta.Removed.Chunk(GuestsPerEvent))
        {
            yield return new VmStatesChanged(delta.ServerId, [], removed);
        }
    }

    private async Task RaiseAlertAsync(AlertKind kind, ServerRuntimeConfig config, ServerStatus status)
    {
        var (action, word, message) = kind switch
        {
            AlertKind.Offline => (GrainAuditActions.ServerOffline, "offline",
                $"{config.Name} is offline: no answer for {config.Thresholds.OfflineAfter.TotalSeconds:0} s ({status.LastError})."),
            AlertKind.Degraded => (GrainAuditActions.ServerDegraded, "degraded",
                $"{config.Name} is degraded: {status.SuccessRatePercent:0} % of recent polls succeeded, {status.AverageLatencyMs:0} ms average."),
            _ => (GrainAuditActions.ServerRecovered, "recovered", $"{config.Name} answers again."),
        };
        logger.LogWarning("Server {ServerId} alert: {Alert}", ServerId, word);
        var details = System.Text.Json.JsonSerializer.Serialize(new
        {
            alertType = word,
            successRate = Math.Round(status.SuccessRatePercent, 1),
            averageLatencyMs = status.AverageLatencyMs is { } l ? Math.Round(l, 1) : (double?)null,
            successRateThreshold = config.Thresholds.SuccessRatePercent,
            latencyThresholdMs = config.Thresholds.LatencyMs,
            offlineAfterSeconds = config.Thresholds.OfflineAfter.TotalSeconds,
            lastError = status.LastError,
            endpoint = status.ActiveEndpoint.ToString().ToLowerInvariant(),
        });
        await audit.WriteAsync(new AuditEntry(config.TenantId, null, action,
            kind == AlertKind.Recovered ? AuditOutcome.Success : AuditOutcome.Failure,
            GrainAuditActions.ServerTarget, ServerId.ToString(), config.Name, details));
        await Tenant.Publish(new ServerAlertRaised(ServerId, config.Name, word, message));
    }

    private async Task ReportSwitchesAsync(ServerRuntimeConfig config)
    {
        while (_switches.TryDequeue(out var e))
        {
            var to = e.ToSecondary ? EndpointRole.Secondary : EndpointRole.Primary;
            var from = e.ToSecondary ? EndpointRole.Primary : EndpointRole.Secondary;
            var details = System.Text.Json.JsonSerializer.Serialize(new
            {
                from = from.ToString().ToLowerInvariant(),
                to = to.ToString().ToLowerInvariant(),
                fromEndpoint = e.From.ToString(),
                toEndpoint = e.To.ToString(),
                reason = e.Reason,
                at = e.At,
            });
            await audit.WriteAsync(new AuditEntry(config.TenantId, null, GrainAuditActions.ServerEndpointSwitched, AuditOutcome.Success,
                GrainAuditActions.ServerTarget, ServerId.ToString(), config.Name, details));
            await Tenant.Publish(new ServerEndpointSwitched(ServerId, from, to, e.Reason));
        }
    }

    // Every poll is a measurement, but a row per poll (every 10 s, per server, for 30 days) is far more than an
    // hourly chart needs. One row a minute, taken regardless of outcome, keeps the hourly success rate unbiased;
    // a change between success and failure is recorded at once so an outage's start and end (and its error) show.
    private async Task SampleAsync(DateTimeOffset now, bool success, double? latencyMs, EndpointRole endpoint, string? error, ServerRuntimeConfig config)
    {
        if (_lastSampleAt is { } last && now - last < SampleEvery && _lastSampleSuccess == success)
        {
            return;
        }
        _lastSampleAt = now;
        _lastSampleSuccess = success;
        try
        {
            await database.AsSystemAsync(async session =>
            {
                await metrics.RecordAsync(session, new ConnectionSample(ServerId, config.TenantId, now, MetricKind.Poll, success, latencyMs,
                    endpoint.ToString().ToLowerInvariant(), error));
                return true;
            }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Server {ServerId}: could not record a connection sample", ServerId);
            return;
        }
        await Tenant.Publish(new ServerMetricSampled(ServerId, success, latencyMs, endpoint));
    }

    // Health changes are written at once (an alert must not repeat after a restart); the delta baseline at most
    // once a minute; learned timeouts every few minutes. Metrics-only polls write nothing.
    private async Task PersistAsync(DateTimeOffset now, bool healthChanged, Proxmox.Connections.ProxmoxConnection connection)
    {
        var write = healthChanged;
        if (_baselineDirty && now - _lastBaselineWrite >= PersistBaselineEvery)
        {
            state.State.Guests = _published.Values.OrderBy(g => g.VmId).ToList();
            _lastBaselineWrite = now;
            _baselineDirty = false;
            write = true;
        }
        if (now - _lastTimeoutsWrite >= PersistTimeoutsEvery)
        {
            state.State.Timeouts = PersistedTimeout.From(connection.Timeouts.Snapshot());
            _lastTimeoutsWrite = now;
            write = true;
        }
        if (write)
        {
            await TryWriteStateAsync();
        }
    }
}
