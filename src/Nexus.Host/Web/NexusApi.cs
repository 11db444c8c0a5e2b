using Nexus.Host.Audit;
using Nexus.Host.Identity;
using Nexus.Host.Tenants;
using Nexus.Host.Users;

namespace Nexus.Host.Web;

/// <summary>The REST API of the identity, tenant and audit capabilities, registered and mapped in one place.</summary>
internal static class NexusApi
{
    public static IServiceCollection AddNexusApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddNexusWebApi();
        services.AddNexusIdentity(configuration);
        services.AddSingleton<Profiles>();
        services.AddSingleton<TenantGate>();
        return services;
    }

    public static IEndpointRouteBuilder MapNexusApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapNexusOpenApi();
        endpoints.MapAuthEndpoints();
        endpoints.MapMeEndpoints();
        endpoints.MapUsersEndpoints();
        endpoints.MapTenantsEndpoints();
        endpoints.MapMembersEndpoints();
        endpoints.MapVmGrantsEndpoints();
        endpoints.MapTenantSettingsEndpoints();
        endpoints.MapTenantLogoEndpoints();
        endpoints.MapAuditEndpoints();
        return endpoints;
    }
}
