using Nexus.Grains.Consoles;
using Nexus.Relay.Hosting;

namespace Nexus.Host.Consoles;

internal static class ConsoleServices
{
    /// <summary>The console control plane (options, token checks, this silo's pump agent and connections) and the relay.</summary>
    public static IServiceCollection AddNexusConsoles(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConsoleOptions>()
            .Bind(configuration.GetSection(ConsoleOptions.Section))
            .Validate(o =>
            {
                o.Validate();
                return true;
            })
            .ValidateOnStart();
        services.AddConsoleRelay();
        services.AddSingleton<ConsoleSessionStore>();
        services.AddSingleton<ConsoleOrigins>();
        services.AddSingleton<PumpConnections>();
        services.AddSingleton<ConsolePumpAgent>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsolePumpAgent>());
        services.AddHostedService<RelayLostSweeper>();
        return services;
    }
}
