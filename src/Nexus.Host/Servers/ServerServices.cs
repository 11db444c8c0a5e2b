using Nexus.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Nexus.Data.Metrics;
using Nexus.Data.Secrets;
using Nexus.Data.Servers;
using Nexus.Grains.Servers;
using Nexus.Host.Startup;

namespace Nexus.Host.Servers;

/// <summary>Server registration: the credential keys, the store, the grains' configuration source.</summary>
internal static class ServerServices
{
    /// <summary>The data-folder secret a default run keeps its generated credential key in.</summary>
    public const string GeneratedKeySecret = "credential-key";

    public static IServiceCollection AddNexusServers(this IServiceCollection services, IConfiguration configuration)
    {
        InventoryOptions.Register(services, configuration);
        var options = BindCredentials(configuration);
        // Configured keys are checked now, so a wrong key stops the start with one line. The generated key is
        // created on first use instead: a process that never touches a credential leaves no key file behind.
        var configured = options.Keys.Count > 0 || options.ActiveKeyId is { Length: > 0 } active && active != CredentialKeyRing.GeneratedKeyId
            ? CredentialKeyRing.Create(options, () => throw new InvalidOperationException("unreachable"))
            : null;
        services.AddSingleton(sp => configured ?? CreateGenerated(options, sp.GetRequiredService<NexusDataFolder>()));
        services.AddSingleton<CredentialProtector>();
        services.AddSingleton<ServerStore>();
        services.AddSingleton<ServerRegistration>();
        services.AddSingleton<ServerAccess>();
        services.AddSingleton<ServerGrains>();
        services.AddSingleton<ServerRuntime>();
        services.AddSingleton<IServerConfigSource, ServerConfigSource>();
        services.TryAddSingleton<ConnectionMetricsStore>();
        return services;
    }

    /// <summary>The key ring for tools (the <c>rotate-keys</c> verb) that run without the web host.</summary>
    public static CredentialKeyRing CreateKeyRing(IConfiguration configuration)
    {
        var options = BindCredentials(configuration);
        return options.Keys.Count > 0
            ? CredentialKeyRing.Create(options, () => throw new InvalidOperationException("unreachable"))
            : CreateGenerated(options, new NexusDataFolder(configuration));
    }

    private static CredentialKeyRing CreateGenerated(CredentialOptions options, NexusDataFolder folder) =>
        CredentialKeyRing.Create(options, () => folder.GetOrCreateSecret(GeneratedKeySecret, CredentialKeyRing.KeyBytes));

    private static CredentialOptions BindCredentials(IConfiguration configuration)
    {
        var options = new CredentialOptions();
        try
        {
            configuration.GetSection(CredentialOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new NexusStartupException($"{CredentialOptions.Section}: {ex.Message}");
        }
        return options;
    }
}
