using Microsoft.Extensions.Logging;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Timeouts;

namespace Nexus.Proxmox.Connections;

/// <summary>Power actions: one attempt each, never repeated blindly.</summary>
public sealed partial class ProxmoxConnection
{
    /// <summary>
    /// <c>POST /nodes/{node}/{qemu|lxc}/{vmid}/status/{action}</c>. Sent once (no retry). If it times out or the
    /// connection drops after sending, the outcome is <see cref="PowerActionOutcome.Unknown"/> instead of an
    /// exception; an endpoint that provably never got the request is skipped for the other one. Proxmox's own
    /// refusals (<c>VM 100 not running</c>, 403) are thrown as <see cref="ProxmoxException"/>s.
    /// </summary>
    public async Task<PowerActionResult> PowerActionAsync(
        string node, GuestType type, int vmId, PowerAction action, CancellationToken cancellationToken = default)
    {
        if (action == PowerAction.Reset && type == GuestType.Lxc)
        {
            throw new ArgumentException("Containers have no reset.", nameof(action));
        }
        var attemptedAt = _time.GetUtcNow();
        var request = ProxmoxRequest.Post($"{GuestPath(node, type, vmId)}/status/{action.Segment()}", RequestClass.Action);
        try
        {
            var response = await SendAsync<string>(request, cancellationToken).ConfigureAwait(false);
            return new PowerActionResult(PowerActionOutcome.Accepted, Upid.Parse(response.Value), response.Endpoint,
                response.Latency, null, attemptedAt);
        }
        catch (ProxmoxUnreachableException ex) when (!ex.RequestNotSent)
        {
            var endpoint = ex.Endpoint ?? ActiveEndpoint;
            Log.PowerOutcomeUnknown(_logger, Config.Name, action.ToString(), node, vmId, endpoint.ToString(), ex.Reason);
            return new PowerActionResult(PowerActionOutcome.Unknown, null, endpoint, TimeSpan.Zero, ex.Reason, attemptedAt);
        }
    }

    /// <summary>
    /// After an unknown outcome: looks for the action's task for this guest since the attempt (task list),
    /// then at the guest's state. Only a <see cref="PowerActionVerdict.NotApplied"/> verdict makes a resend safe.
    /// </summary>
    public async Task<PowerActionVerification> VerifyPowerActionAsync(
        string node, GuestType type, int vmId, PowerAction action, DateTimeOffset attemptedAt,
        CancellationToken cancellationToken = default)
    {
        var taskListAvailable = true;
        try
        {
            // Task start times have one-second resolution, and clocks of the caller and node may differ slightly.
            var tasks = await GetTasksAsync(node, vmId, action.TaskType(type), attemptedAt.AddSeconds(-30), cancellationToken).ConfigureAwait(false);
            var match = tasks.Value
                .Where(t => string.Equals(t.Type, action.TaskType(type), StringComparison.Ordinal)
                    && string.Equals(t.Id, vmId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    && (t.StartTime ?? 0) >= attemptedAt.AddSeconds(-30).ToUnixTimeSeconds())
                .OrderByDescending(t => t.StartTime)
                .FirstOrDefault();
            if (match is not null)
            {
                return new PowerActionVerification(PowerActionVerdict.TaskFound, match, null);
            }
        }
        catch (ProxmoxException ex) when (ex.StatusCode is 400 or 403 or 404 or 501)
        {
            taskListAvailable = false;
        }
        var guest = (await GetGuestStatusAsync(node, type, vmId, cancellationToken).ConfigureAwait(false)).Value;
        var state = guest.RunState;
        bool? inTarget = action switch
        {
            PowerAction.Start or PowerAction.Resume => state == "running",
            PowerAction.Stop or PowerAction.Shutdown => guest.Status == "stopped",
            PowerAction.Suspend => state is "paused" or "suspended" || guest.Lock == "suspended",
            _ => null,
        };
        var verdict = inTarget switch
        {
            true => PowerActionVerdict.AlreadyInTargetState,
            false when taskListAvailable => PowerActionVerdict.NotApplied,
            _ => PowerActionVerdict.Undetermined,
        };
        return new PowerActionVerification(verdict, null, guest);
    }
}
