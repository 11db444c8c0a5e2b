using Microsoft.Extensions.Logging;
using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;
using Nexus.Data.Metrics;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Errors;

namespace Nexus.Grains.Servers;

/// <summary>Proxmox calls made on behalf of VM grains and the API, through the server's one connection.</summary>
internal sealed partial class ProxmoxServerGrain
{
    public async Task<PowerActionSent> SendPowerAction(VmAddress vm, string node, VmPowerAction action)
    {
        ArgumentNullException.ThrowIfNull(vm);
        if (_connection is not { } connection || _config is not { } config)
        {
            return new PowerActionSent(PowerSendOutcome.Unreachable, null, "The server is not polled (disabled or not configured).", null);
        }
        var type = GuestTypeOf(vm.GuestType);
        var power = Map(action);
        var started = time.GetUtcNow();
        try
        {
            var result = await connection.PowerActionAsync(node, type, vm.VmId, power);
            await RecordActionAsync(config, started, true, result.Latency.TotalMilliseconds, result.Endpoint == config.Proxmox.Primary, null);
            if (result.Outcome == PowerActionOutcome.Accepted)
            {
                return new PowerActionSent(PowerSendOutcome.Accepted, result.Upid!.Value, null, null);
            }
            // Sent, but no answer: look for its task before saying anything (never resend blindly).
            var verification = await connection.VerifyPowerActionAsync(node, type, vm.VmId, power, result.AttemptedAt);
            return verification.Verdict switch
            {
                PowerActionVerdict.TaskFound => new PowerActionSent(PowerSendOutcome.Accepted, verification.Task!.Upid, null, null),
                PowerActionVerdict.AlreadyInTargetState => new PowerActionSent(PowerSendOutcome.AlreadyDone, null,
                    $"No task was found, but the guest is already {verification.Guest?.RunState}.", null),
                PowerActionVerdict.NotApplied => new PowerActionSent(PowerSendOutcome.Unreachable, null,
                    $"The request was lost ({result.UnknownReason}) and Proxmox did not act on it.", null),
                _ => new PowerActionSent(PowerSendOutcome.Unknown, null,
                    $"The request timed out ({result.UnknownReason}) and whether Proxmox acted could not be determined.", null),
            };
        }
        catch (ProxmoxUnreachableException ex)
        {
            await RecordActionAsync(config, started, false, null, !connection.IsOnSecondary, ex.Message);
            return new PowerActionSent(PowerSendOutcome.Unreachable, null, $"{config.Name} is unreachable ({ex.Reason}).", null);
        }
        catch (ProxmoxException ex)
        {
            // Proxmox answered with a refusal: the connection worked; the action did not.
            await RecordActionAsync(config, started, true, null, !connection.IsOnSecondary, null);
            return new PowerActionSent(PowerSendOutcome.Refused, null, ex.ProxmoxMessage ?? ex.ReasonPhrase ?? ex.Message, ex.StatusCode);
        }
        catch (ArgumentException ex)
        {
            return new PowerActionSent(PowerSendOutcome.Refused, null, ex.Message, 400);
        }
    }

    public async Task<TaskProgress> GetTaskProgress(string upid)
    {
        if (!Upid.TryParse(upid, out var parsed))
        {
            return new TaskProgress(false, false, null, "Not a Proxmox task id.");
        }
        if (_connection is not { } connection)
        {
            return new TaskProgress(true, false, null, "The server is not polled.");
        }
        try
        {
            var status = (await connection.GetTaskStatusAsync(parsed)).Value;
            return new TaskProgress(status.IsRunning, status.Succeeded, status.ExitStatus, null);
        }
        catch (ProxmoxException ex)
        {
            // Could not ask: the task itself may be fine. The caller keeps asking for a while.
            return new TaskProgress(true, false, null, ex.Message);
        }
    }

    public async Task<GuestDetail?> GetGuestDetail(string guestType, int vmId, string node)
    {
        if (_connection is not { } connection)
        {
            return null;
        }
        try
        {
            var g = (await connection.GetGuestStatusAsync(node, GuestTypeOf(guestType), vmId)).Value;
            return new GuestDetail(g.Status, g.RunState, g.Ha?.Managed, g.Ha?.State, g.Agent, g.Lock, g.Uptime);
        }
        catch (ProxmoxException ex)
        {
            logger.LogInformation("Server {ServerId}: status/current of {Type}/{VmId} failed: {Error}", ServerId, guestType, vmId, ex.Message);
            return null;
        }
    }

    public async Task<IReadOnlyList<RrdSample>> GetRrd(string guestType, int vmId, string node, string timeframe)
    {
        if (_connection is not { } connection)
        {
            throw new InvalidOperationException("The server is not polled.");
        }
        if (!Enum.TryParse<RrdTimeframe>(timeframe, ignoreCase: true, out var frame))
        {
            throw new ArgumentException($"Unknown timeframe '{timeframe}'.", nameof(timeframe));
        }
        var points = (await connection.GetRrdDataAsync(node, GuestTypeOf(guestType), vmId, frame)).Value;
        return points.Select(p => new RrdSample(p.Time, new Dictionary<string, double>(p.Values, StringComparer.Ordinal))).ToList();
    }

    private async Task RecordActionAsync(ServerRuntimeConfig config, DateTimeOffset at, bool success, double? latencyMs, bool primary, string? error)
    {
        try
        {
            await database.AsSystemAsync(async session =>
            {
                await metrics.RecordAsync(session, new ConnectionSample(ServerId, config.TenantId, at, MetricKind.Action, success, latencyMs,
                    primary ? "primary" : "secondary", error));
                return true;
            }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Server {ServerId}: could not record an action sample", ServerId);
        }
    }

    internal static GuestType GuestTypeOf(string guestType) => guestType switch
    {
        "qemu" => GuestType.Qemu,
        "lxc" => GuestType.Lxc,
        _ => throw new ArgumentOutOfRangeException(nameof(guestType), guestType, "qemu or lxc"),
    };

    internal static PowerAction Map(VmPowerAction action) => action switch
    {
        VmPowerAction.Start => PowerAction.Start,
        VmPowerAction.Resume => PowerAction.Resume,
        VmPowerAction.Stop => PowerAction.Stop,
        VmPowerAction.Shutdown => PowerAction.Shutdown,
        VmPowerAction.Suspend => PowerAction.Suspend,
        VmPowerAction.Reset => PowerAction.Reset,
        VmPowerAction.Reboot => PowerAction.Reboot,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}
