namespace Nexus.Relay.Closing;

/// <summary>Who ended a console session (for the session record and the audit row).</summary>
public enum CloseInitiator
{
    /// <summary>The browser closed, broke the protocol or went away.</summary>
    Browser,

    /// <summary>Proxmox ended the console, refused it or could not be reached.</summary>
    Proxmox,

    /// <summary>The session policy: idle timeout, maximum duration, a forbidden client message.</summary>
    Policy,

    /// <summary>The control plane through <see cref="Pumping.ConsolePump.Close"/>: an administrator, a limit, a drain.</summary>
    Control,

    /// <summary>The relay itself (handshake timeout, an internal fault).</summary>
    Relay,
}
