using Microsoft.Extensions.Hosting;

namespace Nexus.Simulator.Hosting;

/// <summary>
/// Replaces the generic host's console lifetime: an embedded simulator must not take over Ctrl+C/SIGTERM
/// (the default would swallow the signal of the process hosting it); its owner stops it by disposing.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
