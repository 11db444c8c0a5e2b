namespace Nexus.Host.Consoles;

/// <summary><c>POST /api/consoles</c>.</summary>
internal sealed record OpenConsoleRequest(Guid ServerId, string? Type, int Vmid, bool? ViewOnly);

/// <summary>
/// The answer to an open. The client connects to <paramref name="WsPath"/> within 30 s, offering the subprotocols
/// <paramref name="Subprotocol"/> and <c>nexus.console.{token}</c>.
/// </summary>
internal sealed record ConsoleOpened(Guid SessionId, string Token, string WsPath, DateTimeOffset ExpiresAt, string Subprotocol);

/// <summary>A session in <c>GET /api/tenants/{id}/consoles</c>; byte counters as of the pump's last heartbeat.</summary>
internal sealed record ConsoleSessionDto(
    Guid Id,
    Guid? UserId,
    string? UserEmail,
    Guid? ServerId,
    string GuestType,
    int Vmid,
    string Node,
    bool ViewOnly,
    string State,
    DateTimeOffset OpenedAt,
    DateTimeOffset? StartedAt,
    long BytesToGuest,
    long BytesFromGuest,
    string? ClientIp,
    string? PumpSilo);
