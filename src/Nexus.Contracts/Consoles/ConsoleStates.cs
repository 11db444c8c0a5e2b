namespace Nexus.Contracts.Consoles;

/// <summary>The life of a console session: pending → connecting → active → closed (any state may close).</summary>
public enum ConsoleSessionState
{
    /// <summary>Opened through the API; the one-time token waits for the browser's socket.</summary>
    Pending = 0,

    /// <summary>A silo claimed it with the token and is opening Proxmox.</summary>
    Connecting = 1,

    /// <summary>Both RFB handshakes are done; bytes flow.</summary>
    Active = 2,

    Closed = 3,
}

/// <summary>Close codes the control plane decides itself (the relay's <c>ConsoleCloseCode</c> has the wire codes).</summary>
public static class ConsoleCloseCodes
{
    public const int Normal = 1000;
    public const int RelayLost = 1011;
    public const int TokenInvalid = 4001;
    public const int Forbidden = 4003;
    public const int LimitReached = 4029;
    public const int AdminDisconnect = 4030;
    public const int ProxmoxUnreachable = 4502;
}
