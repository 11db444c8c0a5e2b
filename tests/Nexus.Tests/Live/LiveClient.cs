using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Nexus.Tests.Live;

/// <summary>
/// A real SignalR client of <c>/hubs/live</c> as a browser uses it: WebSockets, the access token in the
/// <c>access_token</c> query value (browsers cannot set headers on a WebSocket). Records what it receives.
/// </summary>
internal sealed class LiveClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private readonly ConcurrentQueue<JsonElement> _revocations = new();

    private LiveClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<JsonElement>("event", e =>
        {
            _events.Enqueue(e);
            Received?.Invoke(e);
        });
        connection.On<JsonElement>("accessRevoked", r => _revocations.Enqueue(r));
    }

    public HubConnection Connection { get; }

    /// <summary>Called for every event as it arrives (on the connection's receive loop).</summary>
    public Action<JsonElement>? Received { get; set; }

    public IReadOnlyList<JsonElement> Events => [.. _events];
    public IReadOnlyList<JsonElement> Revocations => [.. _revocations];

    public static async Task<LiveClient> ConnectAsync(Uri baseAddress, string accessToken)
    {
        var url = new Uri(baseAddress, "/hubs/live?access_token=" + Uri.EscapeDataString(accessToken));
        var connection = new HubConnectionBuilder()
            .WithUrl(url, o => o.Transports = HttpTransportType.WebSockets)
            .Build();
        var client = new LiveClient(connection);
        await connection.StartAsync();
        return client;
    }

    public Task JoinAsync(Guid tenantId) => Connection.InvokeAsync("JoinTenant", tenantId);

    public Task LeaveAsync(Guid tenantId) => Connection.InvokeAsync("LeaveTenant", tenantId);

    /// <summary>Events of a type (not <c>hidden</c> markers).</summary>
    public IReadOnlyList<JsonElement> OfType(string type) => Events.Where(e => e.GetProperty("type").GetString() == type).ToList();

    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var e in _events)
            {
                if (match(e))
                {
                    return e;
                }
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"No event within {timeout.TotalSeconds:0.#} s: {what}. Received: {string.Join(", ", Events.Select(Describe))}");
    }

    /// <summary>A <c>vmStatesChanged</c> that reports <paramref name="vmid"/> with <paramref name="status"/>.</summary>
    public static bool Reports(JsonElement e, int vmid, string status) =>
        e.GetProperty("type").GetString() == "vmStatesChanged"
        && e.GetProperty("body").GetProperty("changed").EnumerateArray()
            .Any(g => g.GetProperty("vmId").GetInt32() == vmid && g.GetProperty("status").GetString() == status);

    public static IEnumerable<int> ChangedVmIds(JsonElement e) =>
        e.GetProperty("body").GetProperty("changed").EnumerateArray().Select(g => g.GetProperty("vmId").GetInt32());

    public static string Describe(JsonElement e) => $"{e.GetProperty("version").GetInt64()}:{e.GetProperty("type").GetString()}";

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
