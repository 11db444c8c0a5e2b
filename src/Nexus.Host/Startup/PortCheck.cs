using System.Net;
using System.Net.Sockets;
using Nexus.Data;
using Nexus.Host.Cluster;

namespace Nexus.Host.Startup;

/// <summary>
/// Fails fast, with the setting's name, when a silo port is taken: Orleans would otherwise fail deep inside
/// its lifecycle with a stack trace. (The check is advisory; a race with another process is still reported by Orleans.)
/// </summary>
internal static class PortCheck
{
    public static void EnsureFree(SiloOptions silo)
    {
        var address = silo.ListenOnAnyAddress ? IPAddress.Any : silo.ParsedAdvertisedAddress;
        Check(address, silo.SiloPort, $"{SiloOptions.Section}:{nameof(SiloOptions.SiloPort)}");
        if (silo.GatewayPort != 0)
        {
            Check(address, silo.GatewayPort, $"{SiloOptions.Section}:{nameof(SiloOptions.GatewayPort)}");
        }
    }

    private static void Check(IPAddress address, int port, string setting)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new NexusStartupException($"{setting}: port {port} on {address} is already in use");
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new NexusStartupException($"{SiloOptions.Section}:{nameof(SiloOptions.AdvertisedAddress)}: {address} is not an address of this machine");
        }
    }
}
