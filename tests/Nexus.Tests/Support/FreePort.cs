using Nexus.Data.Embedded;

namespace Nexus.Tests.Support;

internal static class FreePort
{
    /// <summary>A loopback TCP port that is free, below the ephemeral range (<see cref="LoopbackPorts"/>).</summary>
    public static int Next() => LoopbackPorts.Choose();
}
