using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Errors;

namespace Nexus.Proxmox.Connections;

/// <summary>Whether Proxmox accepted a power action.</summary>
public enum PowerActionOutcome
{
    /// <summary>Proxmox answered with a task id; follow the task for the result.</summary>
    Accepted,

    /// <summary>
    /// The request may or may not have reached Proxmox (timeout, connection lost). It is never re-sent blindly:
    /// call <see cref="ProxmoxConnection.VerifyPowerActionAsync"/> before trying again.
    /// </summary>
    Unknown,
}

/// <summary>The answer to a power action.</summary>
public sealed record PowerActionResult(
    PowerActionOutcome Outcome,
    Upid? Upid,
    ProxmoxEndpoint Endpoint,
    TimeSpan Latency,
    UnreachableReason? UnknownReason,
    DateTimeOffset AttemptedAt);

/// <summary>What a check after an unknown outcome found.</summary>
public enum PowerActionVerdict
{
    /// <summary>A task of this action for this guest started after the attempt: the action was applied (see the task).</summary>
    TaskFound,

    /// <summary>No task found, but the guest is already in the state the action leads to.</summary>
    AlreadyInTargetState,

    /// <summary>No task and the guest is not in the target state: the action was not applied; it is safe to send again.</summary>
    NotApplied,

    /// <summary>Nothing conclusive (reboot/reset leave no distinct state, and the task list was unavailable).</summary>
    Undetermined,
}

/// <summary>The result of <see cref="ProxmoxConnection.VerifyPowerActionAsync"/>.</summary>
public sealed record PowerActionVerification(
    PowerActionVerdict Verdict,
    ProxmoxTaskListEntry? Task,
    GuestStatus? Guest);
