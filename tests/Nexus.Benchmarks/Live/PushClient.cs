using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Nexus.Benchmarks.Live;

/// <summary>
/// One SignalR connection to <c>/hubs/live</c> joined to one tenant, as a browser tab of the UI: WebSockets, the
/// admin's access token (the .NET client sends it as a header, a browser as <c>access_token</c>), no automatic
/// reconnect (a dropped client must show up as lost events, not be hidden by a resync). Checks the tenant's
/// version sequence of every event it receives; the handler runs on the connection's receive loop, one event at
/// a time, so its counters need no lock.
/// </summary>
internal sealed class PushClient : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly PushRecorder _recorder;
    private long _closed;

    private PushClient(HubConnection connection, int tenant, Guid tenantId, int host, bool isReference, PushRecorder recorder)
    {
        _connection = connection;
        _recorder = recorder;
        Tenant = tenant;
        TenantId = tenantId;
        Host = host;
        IsReference = isReference;
        connection.On<LiveEventProbe>("event", OnEvent);
        connection.Closed += _ =>
        {
            Interlocked.Exchange(ref _closed, 1);
            return Task.CompletedTask;
        };
    }

    public int Tenant { get; }
    public Guid TenantId { get; }
    public int Host { get; }

    /// <summary>Records every version's publish time for the pollers' staleness; stays connected for the whole run.</summary>
    public bool IsReference { get; }

    public bool Closed => Interlocked.Read(ref _closed) == 1;

    /// <summary>The last version received (0: none yet).</summary>
    public long Last { get; private set; }

    /// <summary>Versions skipped between two received ones, over the whole run.</summary>
    public long SequenceGaps { get; private set; }

    /// <summary>Events at or below the last version (a duplicate or out of order).</summary>
    public long Stale { get; private set; }

    public long InWindow { get; private set; }
    public long InWindowMin { get; private set; } = long.MaxValue;
    public long InWindowMax { get; private set; } = long.MinValue;

    public static async Task<PushClient> ConnectAsync(
        Uri host, int hostIndex, string accessToken, int tenant, Guid tenantId, bool isReference, PushRecorder recorder, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(host, "/hubs/live"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                // The negotiate round trip buys nothing with WebSockets only; a browser client does it, and it
                // would only lengthen the connect phase here.
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
            })
            .Build();
        var client = new PushClient(connection, tenant, tenantId, hostIndex, isReference, recorder);
        try
        {
            await connection.StartAsync(cancellationToken);
            await connection.InvokeAsync("JoinTenant", tenantId, cancellationToken);
            return client;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void OnEvent(LiveEventProbe e)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        if (e.Version <= Last)
        {
            Stale++;
            return;
        }
        if (Last > 0 && e.Version > Last + 1)
        {
            SequenceGaps += e.Version - Last - 1;
        }
        Last = e.Version;
        if (IsReference)
        {
            _recorder.Reference[(Tenant, e.Version)] = (e.At, e.Type == LiveEventProbe.VmStatesChanged ? e.ChangedGuests : 0);
        }
        if (!_recorder.InWindow(e.At))
        {
            return;
        }
        InWindow++;
        InWindowMin = Math.Min(InWindowMin, e.Version);
        InWindowMax = Math.Max(InWindowMax, e.Version);
        var latency = (receivedAt - e.At).TotalMilliseconds;
        _recorder.Events.Add(latency);
        if (e.Type == LiveEventProbe.VmStatesChanged)
        {
            _recorder.VmChanges.Add(latency, e.ChangedGuests);
        }
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
