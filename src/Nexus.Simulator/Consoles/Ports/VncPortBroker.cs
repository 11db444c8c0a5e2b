namespace Nexus.Simulator.Consoles.Ports;

/// <summary>
/// The VNC ports 5900–5999 of every simulated node. In-memory on purpose: many simulated nodes share one
/// machine, and pveproxy only ever connects to <c>localhost:&lt;port&gt;</c> of its own node.
/// </summary>
internal sealed class VncPortBroker
{
    public const int FirstPort = 5900;
    public const int LastPort = 5999;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<int, VncReservation>> _nodes = new(StringComparer.Ordinal);

    /// <summary>Takes the lowest free port on the node, as <c>next_vnc_port</c> does.</summary>
    public VncReservation Reserve(string node, Func<int, Action<VncReservation>, VncReservation> create)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue(node, out var ports))
                _nodes[node] = ports = [];
            for (var port = FirstPort; port <= LastPort; port++)
            {
                if (ports.ContainsKey(port))
                    continue;
                var reservation = create(port, Release);
                ports[port] = reservation;
                return reservation;
            }
        }

        throw new ConsoleException(500, $"unable to find free port ({FirstPort}-{LastPort})");
    }

    /// <summary>What listens on <c>localhost:&lt;port&gt;</c> of the node, if anything.</summary>
    public VncReservation? Find(string node, int port)
    {
        lock (_gate)
            return _nodes.TryGetValue(node, out var ports) && ports.TryGetValue(port, out var r) ? r : null;
    }

    private void Release(VncReservation reservation)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(reservation.Guest.Node, out var ports)
                && ports.TryGetValue(reservation.Port, out var current) && ReferenceEquals(current, reservation))
                ports.Remove(reservation.Port);
        }
    }
}
