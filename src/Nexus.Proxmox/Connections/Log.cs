using Microsoft.Extensions.Logging;
using Nexus.Proxmox.Errors;

namespace Nexus.Proxmox.Connections;

/// <summary>Structured log events of the client. No message ever carries a token or ticket.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "Proxmox {Server}: endpoint {Endpoint} failed ({Reason}); trying {Fallback}")]
    public static partial void FailingOver(ILogger logger, string server, string endpoint, UnreachableReason reason, string fallback);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Proxmox {Server}: traffic switched from {From} to {To}: {Reason}")]
    public static partial void Switched(ILogger logger, string server, string from, string to, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "Proxmox {Server}: circuit of {Endpoint} opened for {BreakSeconds} s")]
    public static partial void BreakerOpened(ILogger logger, string server, string endpoint, double breakSeconds);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Proxmox {Server}: power action {Action} on {Node}/{VmId} via {Endpoint} has an unknown outcome ({Reason})")]
    public static partial void PowerOutcomeUnknown(ILogger logger, string server, string action, string node, int vmId, string endpoint, UnreachableReason reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error,
        Message = "Proxmox {Server}: a subscriber of EndpointSwitched threw")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception, string server);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug,
        Message = "Proxmox {Server}: fail-back probe of {Endpoint} failed")]
    public static partial void ProbeFailed(ILogger logger, string server, string endpoint);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning,
        Message = "Proxmox {Server}: TLS certificate of {Endpoint} refused: {Reason}")]
    public static partial void TlsRefused(ILogger logger, string server, string endpoint, string reason);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information,
        Message = "Proxmox {Server}: {Endpoint} answered the recovery probe; its circuit is closed again")]
    public static partial void RecoveredByProbe(ILogger logger, string server, string endpoint);
}
