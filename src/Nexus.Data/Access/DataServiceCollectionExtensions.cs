using Microsoft.Extensions.DependencyInjection;
using Nexus.Data.Audit;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;

namespace Nexus.Data.Access;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="INexusDatabase"/> (one pool per role) and the repositories, all singletons.
    /// <paramref name="options"/> comes from <see cref="DatabaseRoles.PrepareAsync"/>.
    /// </summary>
    public static IServiceCollection AddNexusData(this IServiceCollection services, NexusDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<NexusDatabase>();
        services.AddSingleton<INexusDatabase>(sp => sp.GetRequiredService<NexusDatabase>());
        services.AddSingleton<UserStore>();
        services.AddSingleton<RefreshTokenStore>();
        services.AddSingleton<VmGrantStore>();
        services.AddSingleton<TenantStore>();
        services.AddSingleton<MembershipStore>();
        services.AddSingleton<TenantSettingsStore>();
        services.AddSingleton<TenantLogoStore>();
        services.AddSingleton<AuditLog>();
        return services;
    }
}
