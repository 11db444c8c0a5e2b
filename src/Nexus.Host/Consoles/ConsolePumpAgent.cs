using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Nexus.Contracts.Consoles;
using Nexus.Grains.Consoles;
using Nexus.Relay.Closing;
using Nexus.Relay.Pumping;
using Nexus.Relay.Registry;

namespace Nexus.Host.Consoles;

/// <summary>
/// This silo's side of the console control plane: the observer through which a session's grain (on any silo) closes a
/// pump here, and the heartbeat that reports every pump of this silo to its grain. Pumps never call grains; this does,
/// off the byte path, every <see cref="ConsoleOptions.HeartbeatInterval"/>. Each heartbeat carries the observer, so a
/// grain re-activated on another silo (its own silo died) learns at once how to reach the pump again.
/// </summary>
internal sealed partial class ConsolePumpAgent(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    PumpRegistry relay,
    IOptions<ConsoleOptions> options,
    ILogger<ConsolePumpAgent> logger) : BackgroundService, IConsolePumpObserver
{
    private readonly ConcurrentDictionary<Guid, Claimed> _claimed = new();
    private readonly object _gate = new();
    private ConsolePumpSilo? _self;

    /// <summary>This silo as a pump: its address and its observer reference (created on first use, once).</summary>
    public ConsolePumpSilo Self
    {
        get
        {
            lock (_gate)
            {
                // The reference holds this singleton weakly; the container keeps it alive for the process's life.
                return _self ??= new ConsolePumpSilo(silo.SiloAddress.ToParsableString(), grains.CreateObjectReference<IConsolePumpObserver>(this));
            }
        }
    }

    /// <summary>Starts reporting a claimed session's pump (until <see cref="Forget"/>).</summary>
    public void Track(Guid sessionId, IConsoleSessionGrain grain) => _claimed[sessionId] = new Claimed(grain);

    public void Forget(Guid sessionId) => _claimed.TryRemove(sessionId, out _);

    public Task<bool> Close(Guid sessionId, int closeCode, string reason)
    {
        var closed = relay.TryClose(sessionId, new ConsoleClose((ConsoleCloseCode)closeCode, reason));
        LogCloseRequested(logger, sessionId, closeCode, closed);
        return Task.FromResult(closed);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                BeatAll();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the drain closes the pumps and each reports its outcome.
        }
    }

    // Each session's heartbeat runs on its own: a grain whose silo just died holds its call until the cluster declares
    // that silo dead, and must not hold up the other sessions' heartbeats (their grains would count them as lost).
    private void BeatAll()
    {
        foreach (var (sessionId, claimed) in _claimed)
        {
            if (Interlocked.CompareExchange(ref claimed.Busy, 1, 0) == 0)
            {
                _ = BeatAsync(sessionId, claimed);
            }
        }
    }

    private async Task BeatAsync(Guid sessionId, Claimed claimed)
    {
        try
        {
            if (!relay.TryGet(sessionId, out var pump))
            {
                return;
            }
            var beat = pump.Heartbeat;
            var reply = await claimed.Grain.Heartbeat(new ConsoleHeartbeat(Self, beat.State == PumpState.Relaying,
                beat.BrowserToProxmoxBytes, beat.ProxmoxToBrowserBytes, beat.LastInputAt));
            if (reply.CloseCode is { } code)
            {
                // The grain closed the session while it could not reach this pump (a kill, a lost-relay verdict).
                relay.TryClose(sessionId, new ConsoleClose((ConsoleCloseCode)code, reply.CloseReason));
            }
        }
        catch (Exception ex)
        {
            // The grain's silo may be dying; a later beat re-activates it elsewhere. The pump keeps running.
            LogHeartbeatFailed(logger, sessionId, ex.GetType().Name);
        }
        finally
        {
            Volatile.Write(ref claimed.Busy, 0);
        }
    }

    private sealed class Claimed(IConsoleSessionGrain grain)
    {
        public IConsoleSessionGrain Grain { get; } = grain;

        public int Busy;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Console {SessionId}: close {Code} requested by its grain (running here: {Found})")]
    private static partial void LogCloseRequested(ILogger logger, Guid sessionId, int code, bool found);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console {SessionId}: heartbeat to its grain failed ({Error})")]
    private static partial void LogHeartbeatFailed(ILogger logger, Guid sessionId, string error);
}
