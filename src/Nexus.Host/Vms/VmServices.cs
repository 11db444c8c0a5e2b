using Nexus.Grains.Hosting;
using Nexus.Host.Stats;

namespace Nexus.Host.Vms;

internal static class VmServices
{
    /// <summary>The grains' services, the VM listing's read model, and the metrics retention job.</summary>
    public static IServiceCollection AddNexusVms(this IServiceCollection services)
    {
        services.AddNexusGrains();
        services.AddSingleton<TenantInventoryCache>();
        services.AddSingleton<VmTenantQueries>();
        services.AddSingleton<VmAccessCache>();
        services.AddHostedService<MetricsRetention>();
        return services;
    }
}
