namespace Nexus.Relay.Pumping;

/// <summary>
/// A snapshot of one running pump, cheap to take (a few volatile reads), for the control plane's periodic heartbeat
/// to the session grain. The pump itself never calls a grain.
/// </summary>
/// <param name="BrowserToProxmoxBytes">RFB bytes forwarded toward Proxmox (after the policy filter).</param>
/// <param name="ProxmoxToBrowserBytes">RFB bytes forwarded toward the browser.</param>
/// <param name="LastInputAt">The last key, pointer, cut-text or power message from the browser (dropped ones count: someone is there).</param>
/// <param name="InputMessages">Input messages seen (keystroke audit counts, not contents).</param>
/// <param name="DroppedMessages">Client messages the policy removed.</param>
public sealed record PumpHeartbeat(
    Guid SessionId,
    PumpState State,
    DateTimeOffset StartedAt,
    long BrowserToProxmoxBytes,
    long ProxmoxToBrowserBytes,
    DateTimeOffset LastInputAt,
    long InputMessages,
    long DroppedMessages);
