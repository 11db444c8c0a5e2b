using Nexus.Host.Audit;
using Nexus.Host.Consoles;
using Nexus.Host.Identity;
using Nexus.Host.Live;
using Nexus.Host.Servers;
using Nexus.Host.Stats;
using Nexus.Host.Tenants;
using Nexus.Host.Users;
using Nexus.Host.Vms;

namespace Nexus.Host.Web;

/// <summary>The REST API of the identity, tenant and audit capabilities, registered and mapped in one place.</summary>
internal static class NexusApi
{
    public static IServiceCollection AddNexusApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddNexusWebApi();
        services.AddNexusIdentity(configuration);
        services.AddNexusLive();
        services.AddSingleton<Profiles>();
        services.AddSingleton<TenantGate>();
        services.AddNexusServers(configuration);
        services.AddNexusVms();
        services.AddNexusConsoles(configuration);
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
        endpoints.MapNexusLive();
        endpoints.MapServersEndpoints();
        endpoints.MapServerImportEndpoints();
        endpoints.MapServerTestEndpoints();
        endpoints.MapVmEndpoints();
        endpoints.MapStatsEndpoints();
        endpoints.MapConsoleEndpoints();
        return endpoints;
    }
}
