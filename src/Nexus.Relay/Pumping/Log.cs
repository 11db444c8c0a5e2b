using Microsoft.Extensions.Logging;
using Nexus.Relay.Closing;
using Nexus.Relay.Policy;

namespace Nexus.Relay.Pumping;

/// <summary>The pump's structured log lines. None carries a token, a ticket or a VNC password.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "Console {SessionId}: pump started (view-only {ViewOnly}, clipboard {Clipboard})")]
    public static partial void Started(ILogger logger, Guid sessionId, bool viewOnly, ClipboardPolicy clipboard);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Console {SessionId}: relaying after {HandshakeMs:0} ms (browser asked shared={RequestedShared}, forced shared)")]
    public static partial void Relaying(ILogger logger, Guid sessionId, double handshakeMs, bool requestedShared);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Console {SessionId}: closed {CloseCode} \"{CloseReason}\" by {Initiator} after {DurationSeconds:0.0} s ({BytesToProxmox} B to Proxmox, {BytesToBrowser} B to browser, {Dropped} messages dropped)")]
    public static partial void Closed(ILogger logger, Guid sessionId, int closeCode, string closeReason, CloseInitiator initiator, double durationSeconds,
        long bytesToProxmox, long bytesToBrowser, long dropped);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Console {SessionId}: Proxmox refused: {Reason}")]
    public static partial void UpstreamRefused(ILogger logger, Guid sessionId, string reason);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Console {SessionId}: opening Proxmox failed")]
    public static partial void UpstreamFailed(ILogger logger, Exception exception, Guid sessionId);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Console {SessionId}: Proxmox connection lost ({ExceptionType})")]
    public static partial void UpstreamLost(ILogger logger, Guid sessionId, string exceptionType);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "Console {SessionId}: client message refused: {Violation}")]
    public static partial void PolicyViolation(ILogger logger, Guid sessionId, string violation);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Error, Message = "Console {SessionId}: relay fault")]
    public static partial void Fault(ILogger logger, Exception exception, Guid sessionId);
}
