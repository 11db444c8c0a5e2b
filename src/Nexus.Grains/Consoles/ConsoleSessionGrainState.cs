using Nexus.Contracts.Consoles;

namespace Nexus.Grains.Consoles;

/// <summary>
/// What a session's grain keeps (state name <c>"console-session"</c>): enough to resume after its silo died — who,
/// which VM, the policy, the token's hash until it is used, the claim (the pump's silo) and the close. The pump's
/// observer is not kept: a reference dies with its silo, and the pump sends a live one with every heartbeat.
/// </summary>
[GenerateSerializer]
internal sealed class ConsoleSessionGrainState
{
    [Id(0)] public bool Opened { get; set; }
    [Id(1)] public ConsoleSessionState State { get; set; }
    [Id(2)] public Guid TenantId { get; set; }
    [Id(3)] public Guid UserId { get; set; }
    [Id(4)] public string? UserEmail { get; set; }
    [Id(5)] public Guid ServerId { get; set; }
    [Id(6)] public string GuestType { get; set; } = "qemu";
    [Id(7)] public int VmId { get; set; }
    [Id(8)] public string Node { get; set; } = "";
    [Id(9)] public string? VmName { get; set; }
    [Id(10)] public bool ViewOnly { get; set; }
    [Id(11)] public TimeSpan IdleTimeout { get; set; }
    [Id(12)] public TimeSpan MaxDuration { get; set; }

    /// <summary>SHA-256 of the connect token; cleared when the token is used.</summary>
    [Id(13)] public byte[]? TokenHash { get; set; }
    [Id(14)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(15)] public DateTimeOffset OpenedAt { get; set; }
    [Id(16)] public DateTimeOffset? StartedAt { get; set; }
    [Id(17)] public DateTimeOffset? EndedAt { get; set; }
    [Id(18)] public string? PumpSilo { get; set; }
    [Id(19)] public int? CloseCode { get; set; }
    [Id(20)] public string? CloseReason { get; set; }
    [Id(21)] public long BytesToGuest { get; set; }
    [Id(22)] public long BytesFromGuest { get; set; }
    [Id(23)] public string? ClientIp { get; set; }
    [Id(24)] public string? UserAgent { get; set; }

    /// <summary>The lease counters this session holds (user, tenant, node keys).</summary>
    [Id(25)] public List<string> Leases { get; set; } = [];

    /// <summary>Why Proxmox gave no ticket (recorded as the close reason: the browser only learns "Proxmox unreachable").</summary>
    [Id(26)] public string? GrantError { get; set; }
}
