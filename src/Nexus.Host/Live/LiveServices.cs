using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Nexus.Host.Live;

/// <summary>Live updates: the hub at <c>/hubs/live</c>, the per-silo stream bridge and the snapshot endpoint.</summary>
internal static class LiveServices
{
    public const string HubPath = "/hubs/live";

    /// <summary>Must run after the silo is added (the bridge is a hosted service that uses the cluster client).</summary>
    public static IServiceCollection AddNexusLive(this IServiceCollection services)
    {
        services.AddSignalR().AddJsonProtocol(json =>
        {
            json.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        });
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, HubAccessToken>();
        services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, HubTokenLogging>();
        services.AddSingleton<LiveAccessLoader>();
        services.AddSingleton<LiveFanOut>();
        services.AddSingleton<TenantStreamBridge>();
        services.AddHostedService(sp => sp.GetRequiredService<TenantStreamBridge>());
        return services;
    }

    public static IEndpointRouteBuilder MapNexusLive(this IEndpointRouteBuilder endpoints)
    {
        // An access token expires within minutes; the connection closes with it, and the client's reconnect
        // (with a fresh token) joins again, which re-reads the caller and their access.
        endpoints.MapHub<LiveHub>(HubPath, o => o.CloseOnAuthenticationExpiration = true);
        endpoints.MapLiveSnapshotEndpoints();
        return endpoints;
    }
}
