using Nexus.Relay.Closing;

namespace Nexus.Relay.Rfb;

/// <summary>Thrown inside the pump when a leg must end the session with a given close.</summary>
internal sealed class RelayCloseException(ConsoleClose close, CloseInitiator initiator) : Exception(close.ToString())
{
    public ConsoleClose Close { get; } = close;

    public CloseInitiator Initiator { get; } = initiator;
}
