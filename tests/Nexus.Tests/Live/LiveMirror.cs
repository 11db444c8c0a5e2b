using System.Text.Json;
using Nexus.Tests.Web;

namespace Nexus.Tests.Live;

/// <summary>
/// The client side of the live protocol (src/Nexus.Host/Live/README.md), as the web client implements it: join,
/// load the snapshot, apply events after its version in order, and reload on a gap or after reconnecting.
/// Keeps the VMs' statuses, which is what the tests compare with the simulator.
/// </summary>
internal sealed class LiveMirror
{
    private readonly object _sync = new();
    private readonly List<JsonElement> _buffer = [];
    private readonly Dictionary<(Guid, string, int), string> _status = [];
    private ApiClient _api;
    private readonly Guid _tenantId;
    private long? _version;

    private LiveMirror(ApiClient api, Guid tenantId)
    {
        _api = api;
        _tenantId = tenantId;
    }

    public int Reloads { get; private set; }

    /// <summary>Joins over <paramref name="client"/> and loads the snapshot (join first, so nothing between them is lost).</summary>
    public static async Task<LiveMirror> StartAsync(LiveClient client, ApiClient api, Guid tenantId)
    {
        var mirror = new LiveMirror(api, tenantId);
        await mirror.AttachAsync(client, api);
        return mirror;
    }

    /// <summary>After a reconnect (to any host, its REST API in <paramref name="api"/>): join again and reload.</summary>
    public async Task AttachAsync(LiveClient client, ApiClient api)
    {
        lock (_sync)
        {
            _version = null;
            _buffer.Clear();
            _api = api;
        }
        client.Received = OnEvent;
        await client.JoinAsync(_tenantId);
        await ReloadAsync();
    }

    public string? StatusOf(Guid serverId, int vmid)
    {
        lock (_sync)
        {
            return _status.GetValueOrDefault((serverId, "qemu", vmid));
        }
    }

    public long? Version
    {
        get
        {
            lock (_sync)
            {
                return _version;
            }
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
            _ = ReloadAsync();
        }
    }

    private async Task ReloadAsync()
    {
        lock (_sync)
        {
            _version = null;
        }
        var snapshot = await _api.CallAsync(HttpMethod.Get, $"/api/tenants/{_tenantId}/live");
        var gap = false;
        lock (_sync)
        {
            Reloads++;
            _status.Clear();
            foreach (var vm in snapshot.GetProperty("vms").EnumerateArray())
            {
                var guest = vm.GetProperty("guest");
                _status[Key(guest)] = guest.GetProperty("status").GetString()!;
            }
            _version = snapshot.GetProperty("version").GetInt64();
            foreach (var e in _buffer)
            {
                gap |= !Apply(e);
            }
            _buffer.Clear();
        }
        if (gap)
        {
            await ReloadAsync();
        }
    }

    /// <summary>Applies one event; false on a gap (the caller reloads).</summary>
    private bool Apply(JsonElement e)
    {
        var version = e.GetProperty("version").GetInt64();
        if (version <= _version)
        {
            return true; // already in the snapshot, or a duplicate
        }
        if (version != _version + 1)
        {
            return false;
        }
        _version = version;
        switch (e.GetProperty("type").GetString())
        {
            case "vmStatesChanged":
                var body = e.GetProperty("body");
                foreach (var guest in body.GetProperty("changed").EnumerateArray())
                {
                    _status[Key(guest)] = guest.GetProperty("status").GetString()!;
                }
                foreach (var removed in body.GetProperty("removed").EnumerateArray())
                {
                    _status.Remove((removed.GetProperty("serverId").GetGuid(), removed.GetProperty("guestType").GetString()!, removed.GetProperty("vmId").GetInt32()));
                }
                break;
            case "accessChanged":
                return false;
        }
        return true;
    }

    private static (Guid, string, int) Key(JsonElement guest) =>
        (guest.GetProperty("serverId").GetGuid(), guest.GetProperty("type").GetString()!, guest.GetProperty("vmId").GetInt32());
}
