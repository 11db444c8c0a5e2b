using System.Text;

namespace Nexus.Relay.Closing;

/// <summary>
/// Close codes the relay sends to the browser. 1000–1015 are RFC 6455's; 4000–4999 are ours (the private range,
/// console-relay.md §4.4). 1005, 1006 and 1015 are never sent: they are reserved for "no status" on the wire.
/// </summary>
public enum ConsoleCloseCode
{
    /// <summary>The console ended normally (the browser left, or Proxmox ended the VNC session).</summary>
    Normal = 1000,

    /// <summary>The browser's request was aborted (the connection is gone; nothing reaches it).</summary>
    GoingAway = 1001,

    /// <summary>The browser broke the RFB handshake.</summary>
    ProtocolError = 1002,

    /// <summary>The browser sent a text frame: the console carries binary RFB only.</summary>
    UnsupportedData = 1003,

    /// <summary>A browser message above <see cref="Hosting.ConsoleRelayOptions.MaxBrowserMessageSize"/>.</summary>
    MessageTooBig = 1009,

    /// <summary>A fault in the relay itself.</summary>
    InternalError = 1011,

    /// <summary>The silo is shutting down (graceful drain): reconnect, another silo takes it.</summary>
    SiloShuttingDown = 1012,

    /// <summary>The console token is invalid or expired.</summary>
    TokenInvalid = 4001,

    /// <summary>Forbidden, including a client message the policy filter does not know.</summary>
    Forbidden = 4003,

    /// <summary>No user input for the policy's idle timeout.</summary>
    Idle = 4008,

    /// <summary>The policy's maximum session duration was reached.</summary>
    MaxDuration = 4010,

    /// <summary>A concurrency limit (user, tenant, node) was reached.</summary>
    LimitReached = 4029,

    /// <summary>An administrator disconnected the session.</summary>
    AdminDisconnect = 4030,

    /// <summary>Proxmox was unreachable or refused the console.</summary>
    ProxmoxUnreachable = 4502,
}

/// <summary>A close code plus a short reason for the browser (at most 123 bytes of UTF-8, cut on a character).</summary>
public readonly record struct ConsoleClose
{
    /// <summary>RFC 6455 §5.5: a control frame carries ≤ 125 bytes, 2 of which are the code.</summary>
    public const int MaxReasonBytes = 123;

    public ConsoleClose(ConsoleCloseCode code, string? reason)
    {
        if ((int)code is 1005 or 1006 or 1015 or < 1000 or > 4999)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "Not a close code that may be sent.");
        }
        Code = code;
        Reason = Truncate(reason ?? string.Empty);
    }

    public ConsoleCloseCode Code { get; }

    public string Reason { get; }

    public static ConsoleClose ConsoleEnded { get; } = new(ConsoleCloseCode.Normal, "console ended");
    public static ConsoleClose TokenInvalid { get; } = new(ConsoleCloseCode.TokenInvalid, "token invalid or expired");
    public static ConsoleClose Forbidden { get; } = new(ConsoleCloseCode.Forbidden, "forbidden");
    public static ConsoleClose Idle { get; } = new(ConsoleCloseCode.Idle, "idle timeout");
    public static ConsoleClose MaxDuration { get; } = new(ConsoleCloseCode.MaxDuration, "maximum session duration reached");
    public static ConsoleClose LimitReached { get; } = new(ConsoleCloseCode.LimitReached, "console limit reached");
    public static ConsoleClose AdminDisconnect { get; } = new(ConsoleCloseCode.AdminDisconnect, "disconnected by an administrator");
    public static ConsoleClose ProxmoxUnreachable { get; } = new(ConsoleCloseCode.ProxmoxUnreachable, "Proxmox unreachable");
    public static ConsoleClose SiloShuttingDown { get; } = new(ConsoleCloseCode.SiloShuttingDown, "server restarting, reconnect");

    public override string ToString() => $"{(int)Code} {Reason}";

    private static string Truncate(string reason)
    {
        if (Encoding.UTF8.GetByteCount(reason) <= MaxReasonBytes)
        {
            return reason;
        }
        var end = reason.Length;
        while (end > 0 && Encoding.UTF8.GetByteCount(reason.AsSpan(0, end)) > MaxReasonBytes - 3)
        {
            end--;
        }
        if (end > 0 && char.IsHighSurrogate(reason[end - 1]))
        {
            end--;
        }
        return string.Concat(reason.AsSpan(0, end), "…");
    }
}
