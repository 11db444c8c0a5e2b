using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Nexus.Tests.Deploy;

/// <summary>
/// A dashboard tab behind nginx: the SignalR client as the web client configures it (no negotiate step, WebSockets
/// only, automatic reconnect), following the live protocol of src/Nexus.Host/Live/README.md for one tenant. It joins,
/// loads the snapshot and applies events whose versions continue from it. It reloads on a gap, and after every
/// reconnect it joins and reloads again. It keeps versions only, which is what a rolling restart can break.
/// (tests/Nexus.Tests/Live/LiveMirror works on a LiveClient, whose connection has neither the certificate trust nor
/// the reconnect needed here.)
/// </summary>
internal sealed class DashboardClient : IAsyncDisposable
{
    private readonly object _sync = new();
    private readonly List<JsonElement> _buffer = [];
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<Resync> _resyncs = new();
    private readonly HubConnection _hub;
    private readonly RetryingApiClient _api;
    private readonly Guid _tenant;
    private long? _version;
    private long _snapshotVersion;
    private DateTime _reloadedAt;
    private int _appliedSinceReload;
    private DateTime _lastAppliedAt;

    /// <summary>A completed resync: when the snapshot was loaded, its version, and the first event applied after it.</summary>
    public sealed record Resync(DateTime At, long SnapshotVersion, long FirstContinuingVersion);

    private DashboardClient(string name, HubConnection hub, RetryingApiClient api, Guid tenant)
    {
        Name = name;
        _hub = hub;
        _api = api;
        _tenant = tenant;
        hub.On<JsonElement>("event", OnEvent);
        hub.Reconnecting += _ =>
        {
            lock (_sync)
            {
                Disconnects.Add(DateTime.UtcNow);
            }
            return Task.CompletedTask;
        };
        hub.Reconnected += connectionId =>
        {
            lock (_sync)
            {
                Reconnects.Add(DateTime.UtcNow);
            }
            // Not awaited here: the client's own loop must go on delivering messages while this waits for answers.
            _ = Task.Run(AttachAsync);
            return Task.CompletedTask;
        };
        hub.Closed += error =>
        {
            _errors.Enqueue($"closed for good: {error?.Message}");
            return Task.CompletedTask;
        };
    }

    public string Name { get; }
    public List<DateTime> Disconnects { get; } = [];
    public List<DateTime> Reconnects { get; } = [];
    public IReadOnlyList<string> Errors => [.. _errors];
    public IReadOnlyList<Resync> Resyncs => [.. _resyncs];

    public static async Task<DashboardClient> StartAsync(string name, NginxFront front, RetryingApiClient api, string accessToken, Guid tenant)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl($"https://127.0.0.1:{front.HttpsPort}/hubs/live?access_token={Uri.EscapeDataString(accessToken)}", options =>
            {
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
                options.WebSocketConfiguration = socket => socket.RemoteCertificateValidationCallback = (_, certificate, _, _) => front.IsOurs(certificate);
            })
            .WithAutomaticReconnect(new PromptRetry())
            .Build();
        var client = new DashboardClient(name, hub, api, tenant);
        await hub.StartAsync();
        await client.AttachAsync();
        return client;
    }

    /// <summary>
    /// Resynced since <paramref name="since"/>: a snapshot loaded after it, then at least one event applied whose
    /// version continued from that snapshot's.
    /// </summary>
    public bool ResyncedSince(DateTime since)
    {
        lock (_sync)
        {
            return _version is not null && _reloadedAt >= since && _appliedSinceReload > 0;
        }
    }

    /// <summary>Still following the tenant: an event applied in order after <paramref name="since"/>.</summary>
    public bool LiveSince(DateTime since)
    {
        lock (_sync)
        {
            return _version is not null && _appliedSinceReload > 0 && _lastAppliedAt >= since;
        }
    }

    public string Describe()
    {
        lock (_sync)
        {
            return $"{Name}: version {_version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(reloading)"}, snapshot {_snapshotVersion} at {_reloadedAt:HH:mm:ss.fff}, "
                + $"{_appliedSinceReload} applied since, disconnects [{string.Join(", ", Disconnects.Select(d => d.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)))}], "
                + $"reconnects {Reconnects.Count}, errors [{string.Join("; ", _errors)}]";
        }
    }

    // Join first, then load the snapshot: an event published between the two is in one or the other.
    private async Task AttachAsync()
    {
        try
        {
            lock (_sync)
            {
                _version = null;
                _buffer.Clear();
            }
            await _hub.InvokeAsync("JoinTenant", _tenant);
            await ReloadAsync();
        }
        catch (Exception ex)
        {
            // A connection lost again in the middle: the next Reconnected attaches again.
            _errors.Enqueue($"attach: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void OnEvent(JsonElement e)
    {
        bool gap;
        lock (_sync)
        {
            if (_version is null)
            {
                _buffer.Add(e);
                return;
            }
            gap = !Apply(e);
        }
        if (gap)
        {
            _ = Task.Run(ReloadAsync);
        }
    }

    private async Task ReloadAsync()
    {
        await _reloading.WaitAsync();
        try
        {
            bool gap;
            do
            {
                lock (_sync)
                {
                    _version = null;
                }
                var snapshot = await _api.GetJsonAsync($"/api/tenants/{_tenant}/live");
                lock (_sync)
                {
                    _version = _snapshotVersion = snapshot.GetProperty("version").GetInt64();
                    _reloadedAt = DateTime.UtcNow;
                    _appliedSinceReload = 0;
                    gap = false;
                    foreach (var e in _buffer)
                    {
                        gap |= !Apply(e);
                    }
                    _buffer.Clear();
                }
            }
            while (gap);
        }
        catch (Exception ex)
        {
            _errors.Enqueue($"reload: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>Applies one event under the lock; false on a gap or an access change (the caller reloads).</summary>
    private bool Apply(JsonElement e)
    {
        var version = e.GetProperty("version").GetInt64();
        if (version <= _version)
        {
            return true;
        }
        if (version != _version + 1 || e.GetProperty("type").GetString() == "accessChanged")
        {
            return false;
        }
        _version = version;
        _lastAppliedAt = DateTime.UtcNow;
        if (_appliedSinceReload++ == 0)
        {
            _resyncs.Enqueue(new Resync(_reloadedAt, _snapshotVersion, version));
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _hub.DisposeAsync();
        _reloading.Dispose();
    }

    /// <summary>Reconnects at once, then every half second, for a minute (the web client's schedule is similar).</summary>
    private sealed class PromptRetry : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            retryContext.ElapsedTime > TimeSpan.FromMinutes(1) ? null
            : retryContext.PreviousRetryCount == 0 ? TimeSpan.Zero
            : TimeSpan.FromMilliseconds(500);
    }
}
