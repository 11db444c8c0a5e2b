using Microsoft.Extensions.Options;

namespace Nexus.Host.Health;

/// <summary>Whether this silo is leaving. It is set once, at the first sign of a stop, and never cleared: a process stops only once.</summary>
internal sealed class DrainState
{
    private int _draining;

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>Marks the drain; true only for the call that started it.</summary>
    public bool Begin() => Interlocked.Exchange(ref _draining, 1) == 0;
}

/// <summary>
/// The first step of a graceful stop. The drain starts on SIGTERM. From then on <c>/readyz</c> is 503 and
/// <see cref="DrainGate"/> refuses new WebSockets. Everything else happens on <c>ApplicationStopping</c> by itself:
/// consoles close with 1012 (the relay's drain), SignalR closes its hub connections and the clients reconnect through
/// the load balancer. Then this waits <see cref="ShutdownOptions.DrainDelay"/> before the host stops Kestrel. Kestrel
/// stops first (it is the last hosted service registered), finishes the requests in flight, and only then the silo
/// leaves the cluster, so those requests still reach their grains.
/// </summary>
internal sealed partial class GracefulDrain(
    DrainState state, IHostApplicationLifetime lifetime, IOptions<ShutdownOptions> options, ILogger<GracefulDrain> logger) : IHostedLifecycleService
{
    private CancellationTokenRegistration _stopping;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(Begin);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // A signal (SIGTERM, Ctrl+C) fires ApplicationStopping before the host calls this. A program that embeds the
        // host and calls StopAsync itself (tests, tools) gets here first: no load balancer routes to it, so no delay.
        var signalled = lifetime.ApplicationStopping.IsCancellationRequested;
        Begin();
        var delay = options.Value.DrainDelay;
        if (!signalled || delay <= TimeSpan.Zero)
        {
            return;
        }
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout (or a second signal) cut the delay short.
        }
        LogListenerClosing(logger);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken) => await _stopping.DisposeAsync();

    private void Begin()
    {
        if (state.Begin())
        {
            LogDraining(logger, options.Value.DrainDelay.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Draining: /readyz answers 503, new WebSockets are refused, consoles close with 1012; Kestrel stops accepting in {DelaySeconds} s")]
    private static partial void LogDraining(ILogger logger, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: Kestrel stops accepting and finishes the requests in flight; then the silo leaves the cluster")]
    private static partial void LogListenerClosing(ILogger logger);
}

internal static class GracefulDrainServices
{
    /// <summary>
    /// The drain on SIGTERM: <see cref="ShutdownOptions"/> (validated at start-up, also the host's shutdown timeout),
    /// its state, the gate, and 503 instead of 500 for a grain call lost to a silo that was leaving.
    /// </summary>
    public static IServiceCollection AddGracefulDrain(this IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>()
            .BindConfiguration(ShutdownOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.Timeout);
        services.AddSingleton<DrainState>();
        services.AddHostedService<GracefulDrain>();
        services.AddTransient<IStartupFilter, DrainGate.StartupFilter>();
        services.AddExceptionHandler<SiloChangeExceptionHandler>();
        return services;
    }
}
