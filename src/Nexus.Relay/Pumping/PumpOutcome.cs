using Nexus.Relay.Closing;

namespace Nexus.Relay.Pumping;

/// <summary>How a console session ended: what the browser was told, who caused it, what flowed.</summary>
/// <param name="Close">The close code and reason sent to the browser (when it was still there to receive it).</param>
/// <param name="Relayed">Whether both handshakes completed and bytes flowed.</param>
public sealed record PumpOutcome(
    Guid SessionId,
    ConsoleClose Close,
    CloseInitiator Initiator,
    bool Relayed,
    TimeSpan Duration,
    long BrowserToProxmoxBytes,
    long ProxmoxToBrowserBytes,
    long InputMessages,
    long DroppedMessages);
