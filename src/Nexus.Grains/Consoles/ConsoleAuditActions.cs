namespace Nexus.Grains.Consoles;

/// <summary>Audit action names of console sessions (the prototype logged <c>console_access</c>; these split its life).</summary>
public static class ConsoleAuditActions
{
    public const string Opened = "console_opened";
    public const string Denied = "console_denied";
    public const string Closed = "console_closed";
    public const string Killed = "console_killed";

    /// <summary>The target of every console row: the session (its id), named by the VM.</summary>
    public const string SessionTarget = "console_session";
}
