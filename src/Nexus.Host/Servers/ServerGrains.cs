using Nexus.Contracts.Servers;

namespace Nexus.Host.Servers;

/// <summary>
/// Tells a server's grain that its configuration changed, after the change is committed. The database is the
/// system of record: a grain that cannot be reached now catches up on its next reminder, so a failure here is
/// logged and does not fail the request.
/// </summary>
internal sealed partial class ServerGrains(IGrainFactory grains, ILogger<ServerGrains> logger)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    /// <summary>After a create, an edit or an enable: re-read the configuration (and poll while active).</summary>
    public Task ReloadAsync(Guid serverId) => CallAsync(serverId, "reload", g => g.Reload());

    /// <summary>After a delete or a disable: stop polling.</summary>
    public Task RetireAsync(Guid serverId) => CallAsync(serverId, "retire", g => g.Retire());

    /// <summary>Reload for an active server, retire for an inactive one.</summary>
    public Task ApplyAsync(Guid serverId, bool isActive) => isActive ? ReloadAsync(serverId) : RetireAsync(serverId);

    private async Task CallAsync(Guid serverId, string what, Func<IProxmoxServerGrain, Task> call)
    {
        try
        {
            await call(grains.GetGrain<IProxmoxServerGrain>(serverId)).WaitAsync(Wait);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(logger, what, serverId, ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server {ServerId}: grain {What} failed ({Error}: {Detail}); its reminder will catch up")]
    private static partial void LogFailed(ILogger logger, string what, Guid serverId, string error, string detail);
}
