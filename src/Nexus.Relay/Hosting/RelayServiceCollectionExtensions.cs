using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Relay.Closing;
using Nexus.Relay.Registry;

namespace Nexus.Relay.Hosting;

public static class RelayServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ConsoleRelayOptions"/> (validated at start-up), the silo's <see cref="PumpRegistry"/>, and a
    /// drain that closes every console with 1012 when the application starts stopping and waits for them on stop.
    /// </summary>
    public static IServiceCollection AddConsoleRelay(this IServiceCollection services, Action<ConsoleRelayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ConsoleRelayOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        services.TryAddSingleton(sp => new PumpRegistry(
            sp.GetRequiredService<IOptions<ConsoleRelayOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService<ConsoleDrainService>();
        return services;
    }
}

/// <summary>Closes consoles as soon as the silo starts stopping (before Kestrel waits for requests), then waits for them.</summary>
internal sealed class ConsoleDrainService(PumpRegistry registry, IHostApplicationLifetime lifetime) : IHostedService
{
    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(() => _ = registry.DrainAsync(ConsoleClose.SiloShuttingDown, CancellationToken.None));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.DisposeAsync().ConfigureAwait(false);
        try
        {
            await registry.DrainAsync(ConsoleClose.SiloShuttingDown, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout won; Kestrel aborts what is left.
        }
    }
}
