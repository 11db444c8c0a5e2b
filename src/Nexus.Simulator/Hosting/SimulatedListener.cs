using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Nexus.Simulator.Faults;

namespace Nexus.Simulator.Hosting;

/// <summary>
/// One HTTPS listener of a cluster: the primary address, or the secondary one standing in for another network
/// path (a Tailscale address) to the same node. Each has its own faults; the cluster's faults apply to both.
/// </summary>
public sealed class SimulatedListener
{
    private readonly ConcurrentDictionary<string, ConnectionContext> _connections = new(StringComparer.Ordinal);
    private readonly FaultControl _clusterFaults;

    internal SimulatedListener(string name, IPEndPoint endPoint, string node, FaultControl clusterFaults)
    {
        Name = name;
        EndPoint = endPoint;
        Node = node;
        _clusterFaults = clusterFaults;
        Url = new Uri($"https://{FormatHost(endPoint)}/");
        Faults.Changed += OnFaultsChanged;
        clusterFaults.Changed += OnFaultsChanged;
    }

    /// <summary><c>primary</c> or <c>secondary</c>.</summary>
    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Base URL, e.g. <c>https://127.0.0.1:41234/</c>; the API lives under <c>api2/json/</c>.</summary>
    public Uri Url { get; }

    /// <summary>The node answering on this listener (its certificate is served; <c>/cluster/status</c> marks it <c>local</c>).</summary>
    public string Node { get; }

    public FaultControl Faults { get; } = new();

    internal FaultControl ClusterFaults => _clusterFaults;

    internal bool Refusing => Faults.Settings.RefuseConnections || _clusterFaults.Settings.RefuseConnections;

    internal bool Hanging => Faults.Settings.Hang || _clusterFaults.Settings.Hang;

    /// <summary>Raised when refusal is switched on or off.</summary>
    internal event Action? RefusalChanged;

    internal void Track(ConnectionContext connection) => _connections[connection.ConnectionId] = connection;

    internal void Untrack(ConnectionContext connection) => _connections.TryRemove(connection.ConnectionId, out _);

    private void OnFaultsChanged()
    {
        if (Refusing)
        {
            // A refused host also drops what was open: a pooled keep-alive connection must not keep working.
            foreach (var connection in _connections.Values)
            {
                connection.Abort(new ConnectionAbortedException("simulated: connections refused"));
            }
        }
        RefusalChanged?.Invoke();
    }

    private static string FormatHost(IPEndPoint endPoint) =>
        endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port}"
            : $"{endPoint.Address}:{endPoint.Port}";
}
