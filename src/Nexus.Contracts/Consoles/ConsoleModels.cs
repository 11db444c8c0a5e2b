using Nexus.Contracts.Identity;

namespace Nexus.Contracts.Consoles;

/// <summary>The concurrency limits one open is checked against (user and node from options, tenant from its settings).</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleLimits")]
public sealed record ConsoleLimits(
    [property: Id(0)] int PerUser,
    [property: Id(1)] int PerTenant,
    [property: Id(2)] int PerNode);

/// <summary>
/// Everything a session needs to know at open, already authorized by the API. <paramref name="TokenHash"/> is the
/// SHA-256 of the one-time connect token: the token itself never enters a grain call or grain state.
/// </summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleOpenRequest")]
public sealed record ConsoleOpenRequest(
    [property: Id(0)] Guid TenantId,
    [property: Id(1)] Guid UserId,
    [property: Id(2)] string? UserEmail,
    [property: Id(3)] VmAddress Vm,
    [property: Id(4)] string Node,
    [property: Id(5)] string? VmName,
    [property: Id(6)] bool ViewOnly,
    [property: Id(7)] TimeSpan IdleTimeout,
    [property: Id(8)] TimeSpan MaxDuration,
    [property: Id(9)] byte[] TokenHash,
    [property: Id(10)] ConsoleLimits Limits,
    [property: Id(11)] string? ClientIp,
    [property: Id(12)] string? UserAgent);

/// <summary>The answer to an open: the token's expiry, or which limit refused it.</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleOpenResult")]
public sealed record ConsoleOpenResult(
    [property: Id(0)] bool Opened,
    [property: Id(1)] DateTimeOffset ExpiresAt,
    [property: Id(2)] string? LimitReached);

/// <summary>The silo that claims a session: its address (for the record) and its observer (for kills).</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsolePumpSilo")]
public sealed record ConsolePumpSilo(
    [property: Id(0)] string Silo,
    [property: Id(1)] IConsolePumpObserver Observer);

/// <summary>What the pump may do, handed to the claiming silo.</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleTarget")]
public sealed record ConsoleTarget(
    [property: Id(0)] Guid TenantId,
    [property: Id(1)] Guid UserId,
    [property: Id(2)] VmAddress Vm,
    [property: Id(3)] string Node,
    [property: Id(4)] bool ViewOnly,
    [property: Id(5)] TimeSpan IdleTimeout,
    [property: Id(6)] TimeSpan MaxDuration);

/// <summary>A claim's answer: the target, or the close code (4001, 4003, 4029) and reason for the browser.</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleClaim")]
public sealed record ConsoleClaim(
    [property: Id(0)] ConsoleTarget? Target,
    [property: Id(1)] int CloseCode,
    [property: Id(2)] string? Reason)
{
    public static ConsoleClaim Refused(int code, string reason) => new(null, code, reason);
}

/// <summary>A running pump's counters, sent by its silo every heartbeat interval.</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleHeartbeat")]
public sealed record ConsoleHeartbeat(
    [property: Id(0)] ConsolePumpSilo Pump,
    [property: Id(1)] bool Relaying,
    [property: Id(2)] long BytesToGuest,
    [property: Id(3)] long BytesFromGuest,
    [property: Id(4)] DateTimeOffset LastInputAt);

/// <summary>Keep pumping, or close with this code (the grain closed the session while it could not reach the pump).</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleHeartbeatReply")]
public sealed record ConsoleHeartbeatReply(
    [property: Id(0)] int? CloseCode,
    [property: Id(1)] string? CloseReason)
{
    public static ConsoleHeartbeatReply Continue { get; } = new(null, null);
}

/// <summary>How the pump ended (the relay's <c>PumpOutcome</c> in contract terms).</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleEnd")]
public sealed record ConsoleEnd(
    [property: Id(0)] int CloseCode,
    [property: Id(1)] string CloseReason,
    [property: Id(2)] string Initiator,
    [property: Id(3)] bool Relayed,
    [property: Id(4)] long BytesToGuest,
    [property: Id(5)] long BytesFromGuest);

/// <summary>Who asked for a kill (for the audit row).</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleKiller")]
public sealed record ConsoleKiller(
    [property: Id(0)] Guid UserId,
    [property: Id(1)] string? Email,
    [property: Id(2)] string? ClientIp,
    [property: Id(3)] string? UserAgent);

/// <summary>A session as its grain knows it now.</summary>
[GenerateSerializer, Immutable, Alias("nexus.consoles.ConsoleSessionInfo")]
public sealed record ConsoleSessionInfo(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] Guid TenantId,
    [property: Id(2)] Guid UserId,
    [property: Id(3)] VmAddress Vm,
    [property: Id(4)] string Node,
    [property: Id(5)] bool ViewOnly,
    [property: Id(6)] ConsoleSessionState State,
    [property: Id(7)] DateTimeOffset OpenedAt,
    [property: Id(8)] DateTimeOffset? StartedAt,
    [property: Id(9)] DateTimeOffset? EndedAt,
    [property: Id(10)] string? PumpSilo,
    [property: Id(11)] long BytesToGuest,
    [property: Id(12)] long BytesFromGuest,
    [property: Id(13)] DateTimeOffset? LastHeartbeatAt,
    [property: Id(14)] int? CloseCode,
    [property: Id(15)] string? CloseReason);
