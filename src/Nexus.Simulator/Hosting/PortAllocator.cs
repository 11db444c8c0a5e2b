using System.Net;
using System.Net.Sockets;

namespace Nexus.Simulator.Hosting;

/// <summary>
/// Picks free loopback ports up front. Listeners need a fixed port (a refused listener is bound again on the
/// same one), and routing is by local endpoint. The sockets stay open until every port is chosen, so
/// ports never repeat within one simulator.
/// </summary>
internal sealed class PortAllocator : IDisposable
{
    private readonly List<Socket> _held = [];

    public IPEndPoint Next(IPAddress address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        _held.Add(socket);
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    public void Dispose()
    {
        foreach (var socket in _held)
        {
            socket.Dispose();
        }
        _held.Clear();
    }
}
