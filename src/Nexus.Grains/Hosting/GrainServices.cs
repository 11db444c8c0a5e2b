using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Nexus.Data.Metrics;
using Nexus.Grains.Audit;
using Nexus.Grains.Servers;
using Nexus.Proxmox.Connections;

namespace Nexus.Grains.Hosting;

public static class GrainServices
{
    /// <summary>
    /// What the server, VM and tenant grains need besides <see cref="IServerConfigSource"/> (registered by the
    /// servers capability). TryAdd: a host or a test may set its own <see cref="ProxmoxClientOptions"/> first.
    /// </summary>
    public static IServiceCollection AddNexusGrains(this IServiceCollection services)
    {
        services.TryAddSingleton(new ProxmoxClientOptions());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConnectionMetricsStore>();
        services.TryAddSingleton<SystemAudit>();
        services.TryAddSingleton<ServerConnectionFactory>();
        return services;
    }
}
