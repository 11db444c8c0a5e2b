namespace Nexus.Relay.Pumping;

public enum PumpState
{
    /// <summary>Created, <see cref="ConsolePump.RunAsync"/> not called yet.</summary>
    Created,

    /// <summary>Opening Proxmox and running both RFB handshakes.</summary>
    Handshaking,

    /// <summary>Bytes flow both ways.</summary>
    Relaying,

    /// <summary>A close was decided; both legs are being shut.</summary>
    Closing,

    Closed,
}
