using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Tests.Support;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Faults;

namespace Nexus.Proxmox.Tests.Connections;

public sealed class PowerActionTests : PerTestSimulator
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task Starting_a_stopped_vm_returns_a_upid_whose_task_ends_ok()
    {
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Stopped);
        using var client = Simulated.Connect(Cluster);

        var result = await client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Start);

        Assert.Equal(PowerActionOutcome.Accepted, result.Outcome);
        Assert.Equal(Simulated.PrimaryOf(Cluster), result.Endpoint);
        Assert.Equal("qmstart", result.Upid!.Type);
        Assert.Equal(guest.Vmid.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Upid.Id);
        Assert.Equal("root@pam", result.Upid.User);
        Assert.Equal("nexus", result.Upid.TokenName);
        var task = (await client.WaitForTaskAsync(result.Upid, Poll)).Value;
        Assert.True(task.Succeeded, task.ExitStatus);
        Assert.Equal("nexus", task.TokenId);
        var status = (await client.GetGuestStatusAsync(guest.Node, GuestType.Qemu, guest.Vmid)).Value;
        Assert.Equal("running", status.Status);
    }

    [Fact]
    public async Task A_task_that_fails_reports_the_error_as_its_exit_status()
    {
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Running);
        using var client = Simulated.Connect(Cluster);

        // Both pass the synchronous checks while the VM runs; the reset's worker runs after the stop and fails.
        var stop = await client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Stop);
        var reset = await client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Reset);

        Assert.True((await client.WaitForTaskAsync(stop.Upid!, Poll)).Value.Succeeded);
        var failed = (await client.WaitForTaskAsync(reset.Upid!, Poll)).Value;
        Assert.True(failed.Failed);
        Assert.Equal($"VM {guest.Vmid} not running", failed.ExitStatus);
    }

    [Fact]
    public async Task A_synchronous_refusal_is_thrown_with_the_proxmox_message()
    {
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Stopped);
        using var client = Simulated.Connect(Cluster);

        var error = await Assert.ThrowsAsync<ProxmoxServerException>(
            () => client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Reset));

        Assert.Equal(500, error.StatusCode);
        Assert.Equal($"VM {guest.Vmid} not running", error.ReasonPhrase);
    }

    [Fact]
    public async Task A_power_action_that_times_out_has_an_unknown_outcome_and_is_not_repeated()
    {
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Stopped);
        using var client = Simulated.Connect(Cluster, secondary: false);
        // A pooled connection exists, so the request is written and then gets no answer.
        await client.GetVersionAsync();
        Cluster.Primary.Faults.Set(new FaultSettings { Hang = true });

        var result = await client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Start);
        Cluster.Primary.Faults.Clear();

        Assert.Equal(PowerActionOutcome.Unknown, result.Outcome);
        Assert.Equal(UnreachableReason.Timeout, result.UnknownReason);
        Assert.Null(result.Upid);
        var check = await client.VerifyPowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Start, result.AttemptedAt);
        Assert.Equal(PowerActionVerdict.NotApplied, check.Verdict);
        Assert.Equal("stopped", check.Guest!.Status);
    }

    [Fact]
    public async Task A_power_action_that_could_not_even_connect_is_reported_as_not_sent()
    {
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Stopped);
        using var client = Simulated.Connect(Cluster, secondary: false);
        Cluster.Primary.Faults.Set(new FaultSettings { RefuseConnections = true });

        var error = await Assert.ThrowsAsync<ProxmoxUnreachableException>(
            () => client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Start));

        Assert.True(error.RequestNotSent);
        Assert.Equal(1, error.Attempts);
    }

    [Fact]
    public async Task Verification_finds_the_task_of_an_action_that_did_reach_proxmox()
    {
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Running);
        using var client = Simulated.Connect(Cluster);

        var result = await client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Shutdown);
        var check = await client.VerifyPowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Shutdown, result.AttemptedAt);

        Assert.Equal(PowerActionVerdict.TaskFound, check.Verdict);
        Assert.Equal(result.Upid!.Value, check.Task!.Upid);
    }

    [Fact]
    public async Task Containers_use_their_own_task_types()
    {
        var container = Simulated.Guest(Cluster, "lxc", GuestRunState.Running);
        using var client = Simulated.Connect(Cluster);

        var result = await client.PowerActionAsync(container.Node, GuestType.Lxc, container.Vmid, PowerAction.Stop);

        Assert.Equal("vzstop", result.Upid!.Type);
        Assert.True((await client.WaitForTaskAsync(result.Upid, Poll)).Value.Succeeded);
    }
}
