using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Nexus.Data.Embedded;

/// <summary>
/// Chooses a loopback TCP port for a listener that starts a moment later (the embedded PostgreSQL, a test's host).
/// The port comes from below the kernel's ephemeral range: a port of that range that was free a moment ago can be
/// handed to any outgoing connection before the listener binds it, which a busy process (a silo with its database
/// pool, a test suite) makes likely; below it only an explicit bind takes a port. Random start, so processes choosing
/// at once rarely try the same port; each candidate is checked by binding it, and this process never hands out the
/// same port twice.
/// </summary>
public static class LoopbackPorts
{
    private const int Lowest = 20_000;
    private const string EphemeralRange = "/proc/sys/net/ipv4/ip_local_port_range";

    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    public static int Choose()
    {
        var below = EphemeralStart();
        if (below - Lowest >= 1_000)
        {
            var span = below - Lowest;
            var start = Random.Shared.Next(span);
            for (var i = 0; i < 200; i++)
            {
                var port = Lowest + ((start + (i * 7919)) % span);
                if (!HandedOut.ContainsKey(port) && IsFree(port) && HandedOut.TryAdd(port, 0))
                {
                    return port;
                }
            }
        }
        // No room below the ephemeral range (a tuned kernel): let the kernel pick, as before.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            probe.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralStart()
    {
        try
        {
            var first = File.ReadAllText(EphemeralRange).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or OverflowException)
        {
            // Linux's default; elsewhere (no /proc) the IANA dynamic range starts higher still.
            return 32_768;
        }
    }
}
