using System.Globalization;
using System.Text.Json;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Timeouts;

namespace Nexus.Proxmox.Connections;

/// <summary>The typed read calls.</summary>
public sealed partial class ProxmoxConnection
{
    /// <summary><c>GET /version</c>.</summary>
    public Task<ProxmoxResponse<ProxmoxVersionInfo>> GetVersionAsync(CancellationToken cancellationToken = default) =>
        SendAsync<ProxmoxVersionInfo>(ProxmoxRequest.Get("version", RequestClass.Read), cancellationToken);

    /// <summary><c>GET /nodes</c>.</summary>
    public Task<ProxmoxResponse<IReadOnlyList<NodeSummary>>> GetNodesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<NodeSummary>>(ProxmoxRequest.Get("nodes", RequestClass.List), cancellationToken);

    /// <summary><c>GET /cluster/status</c> (needs <c>Sys.Audit</c> on <c>/</c>).</summary>
    public Task<ProxmoxResponse<IReadOnlyList<ClusterStatusEntry>>> GetClusterStatusAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ClusterStatusEntry>>(ProxmoxRequest.Get("cluster/status", RequestClass.List), cancellationToken);

    /// <summary><c>GET /cluster/resources[?type=]</c>; <c>type=vm</c> returns qemu and lxc.</summary>
    public Task<ProxmoxResponse<IReadOnlyList<ClusterResource>>> GetClusterResourcesAsync(
        ClusterResourceType? type = null, CancellationToken cancellationToken = default)
    {
        var path = type is { } t ? "cluster/resources?type=" + t.ToString().ToLowerInvariant() : "cluster/resources";
        return SendAsync<IReadOnlyList<ClusterResource>>(ProxmoxRequest.Get(path, RequestClass.List), cancellationToken);
    }

    /// <summary><c>GET /nodes/{node}/qemu</c> or <c>/lxc</c>.</summary>
    public Task<ProxmoxResponse<IReadOnlyList<GuestSummary>>> GetGuestsAsync(
        string node, GuestType type, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<GuestSummary>>(ProxmoxRequest.Get($"nodes/{Segment(node)}/{type.Segment()}", RequestClass.List), cancellationToken);

    /// <summary><c>GET /nodes/{node}/{qemu|lxc}/{vmid}/status/current</c>.</summary>
    public Task<ProxmoxResponse<GuestStatus>> GetGuestStatusAsync(
        string node, GuestType type, int vmId, CancellationToken cancellationToken = default) =>
        SendAsync<GuestStatus>(ProxmoxRequest.Get($"{GuestPath(node, type, vmId)}/status/current", RequestClass.Read), cancellationToken);

    /// <summary><c>GET /nodes/{node}/tasks/{upid}/status</c> on the node that runs the task.</summary>
    public Task<ProxmoxResponse<ProxmoxTaskStatus>> GetTaskStatusAsync(Upid upid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upid);
        return SendAsync<ProxmoxTaskStatus>(
            ProxmoxRequest.Get($"nodes/{Segment(upid.Node)}/tasks/{upid.PathSegment}/status", RequestClass.Read), cancellationToken);
    }

    /// <summary>Polls the task status until it stops (or <paramref name="cancellationToken"/> ends the wait).</summary>
    public async Task<ProxmoxResponse<ProxmoxTaskStatus>> WaitForTaskAsync(
        Upid upid, TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var status = await GetTaskStatusAsync(upid, cancellationToken).ConfigureAwait(false);
            if (!status.Value.IsRunning)
            {
                return status;
            }
            await Task.Delay(pollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>GET /nodes/{node}/tasks</c> filtered by guest and task type, newest first.</summary>
    public Task<ProxmoxResponse<IReadOnlyList<ProxmoxTaskListEntry>>> GetTasksAsync(
        string node, int? vmId = null, string? typeFilter = null, DateTimeOffset? since = null,
        CancellationToken cancellationToken = default)
    {
        var query = new List<string> { "source=all" };
        if (vmId is { } id)
        {
            query.Add("vmid=" + id.ToString(CultureInfo.InvariantCulture));
        }
        if (typeFilter is not null)
        {
            query.Add("typefilter=" + Uri.EscapeDataString(typeFilter));
        }
        if (since is { } s)
        {
            query.Add("since=" + s.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        }
        return SendAsync<IReadOnlyList<ProxmoxTaskListEntry>>(
            ProxmoxRequest.Get($"nodes/{Segment(node)}/tasks?{string.Join('&', query)}", RequestClass.List), cancellationToken);
    }

    /// <summary><c>GET /nodes/{node}/{qemu|lxc}/{vmid}/rrddata?timeframe=&amp;cf=</c>.</summary>
    public async Task<ProxmoxResponse<IReadOnlyList<RrdDataPoint>>> GetRrdDataAsync(
        string node, GuestType type, int vmId, RrdTimeframe timeframe, RrdConsolidation consolidation = RrdConsolidation.Average,
        CancellationToken cancellationToken = default)
    {
        var cf = consolidation == RrdConsolidation.Max ? "MAX" : "AVERAGE";
        var path = $"{GuestPath(node, type, vmId)}/rrddata?timeframe={timeframe.ToString().ToLowerInvariant()}&cf={cf}";
        var response = await SendAsync<JsonElement>(ProxmoxRequest.Get(path, RequestClass.List), cancellationToken).ConfigureAwait(false);
        return new ProxmoxResponse<IReadOnlyList<RrdDataPoint>>(
            ReadRrd(response.Value), response.Endpoint, response.Latency, response.Attempts);
    }

    /// <summary><c>GET /nodes/{node}/certificates/info</c>: the node's certificates and their fingerprints.</summary>
    public Task<ProxmoxResponse<IReadOnlyList<NodeCertificateInfo>>> GetNodeCertificatesAsync(
        string node, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<NodeCertificateInfo>>(ProxmoxRequest.Get($"nodes/{Segment(node)}/certificates/info", RequestClass.Read), cancellationToken);

    internal static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return Uri.EscapeDataString(value);
    }

    internal static string GuestPath(string node, GuestType type, int vmId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vmId);
        return $"nodes/{Segment(node)}/{type.Segment()}/{vmId.ToString(CultureInfo.InvariantCulture)}";
    }

    // Rows carry whichever data sources exist; missing values are omitted, and a trailing time-only row is normal.
    internal static IReadOnlyList<RrdDataPoint> ReadRrd(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("rrddata is not an array.");
        }
        var points = new List<RrdDataPoint>();
        foreach (var row in data.EnumerateArray())
        {
            long? time = null;
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in row.EnumerateObject())
            {
                double? number = property.Value.ValueKind switch
                {
                    JsonValueKind.Number => property.Value.GetDouble(),
                    JsonValueKind.String when double.TryParse(property.Value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
                    _ => null,
                };
                if (number is not { } value)
                {
                    continue;
                }
                if (property.NameEquals("time"))
                {
                    time = (long)value;
                }
                else
                {
                    values[property.Name] = value;
                }
            }
            if (time is { } t)
            {
                points.Add(new RrdDataPoint(DateTimeOffset.FromUnixTimeSeconds(t), values));
            }
        }
        return points;
    }
}
