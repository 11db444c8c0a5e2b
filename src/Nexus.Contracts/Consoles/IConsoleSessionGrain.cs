using Orleans.Concurrency;

namespace Nexus.Contracts.Consoles;

/// <summary>
/// One console session, keyed by its id, activated on the silo that handled the open (local placement). It decides
/// and remembers; the bytes never pass through it: the silo whose Kestrel accepted the browser's socket claims the
/// session and pumps it (Nexus.Relay), heartbeating here. State, the claim and the pump's silo are persisted, so a
/// re-activation elsewhere (the grain's silo died) knows the pump; the pump's observer comes with each heartbeat.
/// </summary>
[Alias("nexus.IConsoleSessionGrain")]
public interface IConsoleSessionGrain : IGrainWithGuidKey
{
    /// <summary>Takes the leases (user, tenant, node), writes the session record, starts the token's 30 s.</summary>
    [Alias("Open")]
    Task<ConsoleOpenResult> Open(ConsoleOpenRequest request);

    /// <summary>
    /// Exchanges the one-time token (its SHA-256) for the target, once: the first valid claim wins, any later one is
    /// refused with 4001. <paramref name="callerUserId"/>: the user the connect request authenticated as, if any —
    /// someone else's token is refused with 4003.
    /// </summary>
    [Alias("Claim")]
    Task<ConsoleClaim> Claim(byte[] tokenHash, Guid? callerUserId, ConsolePumpSilo pump);

    /// <summary>The claimed session's Proxmox ticket: asks the server's grain for <c>vncproxy</c> now, never earlier.</summary>
    [Alias("Connect")]
    Task<VncProxyGrant> Connect();

    /// <summary>Both handshakes are done: connecting → active.</summary>
    [Alias("MarkActive")]
    Task MarkActive(DateTimeOffset startedAt);

    /// <summary>The pump's counters (also what keeps the grain alive and tells a re-activated grain where the pump is).</summary>
    [Alias("Heartbeat")]
    Task<ConsoleHeartbeatReply> Heartbeat(ConsoleHeartbeat heartbeat);

    /// <summary>The pump ended: closes the record, releases the leases. Idempotent.</summary>
    [Alias("Complete")]
    Task Complete(ConsoleEnd end);

    /// <summary>Force-disconnects (4030) through the pump's observer; false when the session had already ended.</summary>
    [Alias("Kill")]
    Task<bool> Kill(ConsoleKiller killer);

    [Alias("GetInfo"), AlwaysInterleave]
    Task<ConsoleSessionInfo?> GetInfo();
}

/// <summary>
/// One per silo (created with <c>CreateObjectReference</c>): how a session's grain, wherever it lives, reaches the
/// pump in the silo that holds the browser's socket. The reference dies with its silo.
/// </summary>
[Alias("nexus.IConsolePumpObserver")]
public interface IConsolePumpObserver : IGrainObserver
{
    /// <summary>Closes the session's pump in this silo with the code and reason; false when it does not run here.</summary>
    [Alias("Close")]
    Task<bool> Close(Guid sessionId, int closeCode, string reason);
}

/// <summary>
/// A concurrency counter with heartbeat leases, keyed <c>console-user:{id}</c>, <c>console-tenant:{id}</c> or
/// <c>console-node:{serverId}/{node}</c>. Leases live in memory and expire unless renewed; the sessions renew theirs
/// periodically, so a lost activation is rebuilt by the next renewals and a crashed session's lease runs out.
/// </summary>
[Alias("nexus.IConsoleLeaseGrain")]
public interface IConsoleLeaseGrain : IGrainWithStringKey
{
    /// <summary>Takes (or renews) the session's lease if fewer than <paramref name="limit"/> others hold one.</summary>
    [Alias("TryAcquire")]
    Task<bool> TryAcquire(Guid sessionId, int limit, TimeSpan lifetime);

    /// <summary>Extends the session's lease (re-adds it after a lost activation), whatever the count.</summary>
    [Alias("Renew")]
    Task Renew(Guid sessionId, TimeSpan lifetime);

    [Alias("Release")]
    Task Release(Guid sessionId);

    [Alias("Count"), AlwaysInterleave]
    Task<int> Count();
}
