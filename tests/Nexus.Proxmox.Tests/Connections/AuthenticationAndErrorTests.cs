using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Tests.Support;
using Nexus.Simulator.Clusters;

namespace Nexus.Proxmox.Tests.Connections;

public sealed class AuthenticationAndErrorTests(SharedSimulator shared) : IClassFixture<SharedSimulator>
{
    private SimulatedCluster Cluster => shared.Cluster;

    [Fact]
    public async Task A_wrong_secret_is_an_authentication_failure_read_from_the_reason_phrase_and_not_retried()
    {
        using var client = Simulated.Connect(Cluster, token: "root@pam!nexus=00000000-0000-0000-0000-000000000000");

        var error = await Assert.ThrowsAsync<ProxmoxAuthenticationException>(() => client.GetVersionAsync());

        Assert.Equal(401, error.StatusCode);
        Assert.Equal("Authentication failed!", error.ReasonPhrase);
        Assert.Equal(1, error.Attempts);
        Assert.DoesNotContain("00000000-0000", error.Message, StringComparison.Ordinal);
        Assert.False(client.IsOnSecondary);
    }

    [Fact]
    public async Task A_token_without_power_management_gets_a_permission_error_naming_the_privilege()
    {
        var nopower = Cluster.Token("nexus@pve!nopower");
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Running);
        using var client = Simulated.Connect(Cluster, token: nopower.Value);

        var error = await Assert.ThrowsAsync<ProxmoxPermissionException>(
            () => client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Stop));

        Assert.Equal(403, error.StatusCode);
        Assert.Equal($"Permission check failed (/vms/{guest.Vmid}, VM.PowerMgmt)", error.ProxmoxMessage);
    }

    [Fact]
    public async Task A_token_without_console_rights_cannot_open_a_vncproxy()
    {
        var noconsole = Cluster.Token("nexus@pve!noconsole");
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Running);
        using var client = Simulated.Connect(Cluster, token: noconsole.Value);

        var error = await Assert.ThrowsAsync<ProxmoxPermissionException>(
            () => client.CreateVncProxyAsync(guest.Node, GuestType.Qemu, guest.Vmid));

        Assert.Contains("VM.Console", error.ProxmoxMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_guest_that_does_not_exist_is_not_found()
    {
        using var client = Simulated.Connect(Cluster);

        var error = await Assert.ThrowsAsync<ProxmoxNotFoundException>(
            () => client.GetGuestStatusAsync(Cluster.NodeNames[0], GuestType.Qemu, 99999));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parameter_verification_failure_carries_the_per_parameter_errors()
    {
        using var client = Simulated.Connect(Cluster);

        var error = await Assert.ThrowsAsync<ProxmoxBadRequestException>(
            () => client.GetTasksAsync(Cluster.NodeNames[0], vmId: 1));

        Assert.Equal(400, error.StatusCode);
        Assert.True(error.Errors.ContainsKey("vmid"), string.Join(", ", error.Errors.Keys));
    }
}
