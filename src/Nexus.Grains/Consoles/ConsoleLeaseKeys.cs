using System.Globalization;
using Nexus.Contracts.Hosting;

namespace Nexus.Grains.Consoles;

/// <summary>Keys of the console lease counters (never bare hex, see <see cref="GrainKeys"/>).</summary>
public static class ConsoleLeaseKeys
{
    public static string User(Guid userId) => GrainKeys.Ensure(string.Create(CultureInfo.InvariantCulture, $"console-user:{userId:N}"));

    public static string Tenant(Guid tenantId) => GrainKeys.Ensure(string.Create(CultureInfo.InvariantCulture, $"console-tenant:{tenantId:N}"));

    public static string Node(Guid serverId, string node) =>
        GrainKeys.Ensure(string.Create(CultureInfo.InvariantCulture, $"console-node:{serverId:N}/{node.ToLowerInvariant()}"));
}
