namespace Nexus.Contracts.Servers;

/// <summary>How sending a power action went.</summary>
public enum PowerSendOutcome
{
    /// <summary>Proxmox answered with a task id; follow it.</summary>
    Accepted = 0,

    /// <summary>Proxmox refused it at once (<c>VM 100 not running</c>, 403); <see cref="PowerActionSent.Error"/> says why.</summary>
    Refused = 1,

    /// <summary>The request may or may not have arrived, and verification could not tell.</summary>
    Unknown = 2,

    /// <summary>The request may not have arrived, but the guest is already in the action's target state.</summary>
    AlreadyDone = 3,

    /// <summary>The server could not be reached at all (nothing was sent).</summary>
    Unreachable = 4,
}

/// <summary>The answer of <see cref="IProxmoxServerGrain.SendPowerAction"/>.</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.PowerActionSent")]
public sealed record PowerActionSent(
    [property: Id(0)] PowerSendOutcome Outcome,
    [property: Id(1)] string? Upid,
    [property: Id(2)] string? Error,
    [property: Id(3)] int? StatusCode);

/// <summary>A Proxmox task's state: running, or stopped with its exit status.</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.TaskProgress")]
public sealed record TaskProgress(
    [property: Id(0)] bool Running,
    [property: Id(1)] bool Succeeded,
    [property: Id(2)] string? ExitStatus,
    [property: Id(3)] string? Error);

/// <summary>Details of one guest from <c>status/current</c>.</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.GuestDetail")]
public sealed record GuestDetail(
    [property: Id(0)] string Status,
    [property: Id(1)] string RunState,
    [property: Id(2)] bool? HaManaged,
    [property: Id(3)] string? HaState,
    [property: Id(4)] bool? Agent,
    [property: Id(5)] string? Lock,
    [property: Id(6)] long? Uptime);

/// <summary>One RRD row: time and the values present (missing values are omitted by Proxmox).</summary>
[GenerateSerializer, Immutable, Alias("nexus.servers.RrdSample")]
public sealed record RrdSample(
    [property: Id(0)] DateTimeOffset Time,
    [property: Id(1)] IReadOnlyDictionary<string, double> Values);
