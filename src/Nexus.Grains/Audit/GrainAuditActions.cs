namespace Nexus.Grains.Audit;

/// <summary>
/// Audit action names written by the grains. They keep the prototype's names (seed-features §1.6, F16): the
/// notification centre and the audit filters already know them.
/// </summary>
public static class GrainAuditActions
{
    public const string ServerOffline = "server_offline";
    public const string ServerDegraded = "server_degraded";
    public const string ServerRecovered = "server_recovered";
    public const string ServerEndpointSwitched = "server_endpoint_switched";

    /// <summary><c>vm_start</c>, <c>vm_stop</c>, <c>vm_shutdown</c>, <c>vm_reboot</c>, <c>vm_reset</c>, <c>vm_suspend</c>, <c>vm_resume</c>.</summary>
    public static string ForVm(Contracts.Identity.VmPowerAction action) => "vm_" + action.ToString().ToLowerInvariant();

    public const string ServerTarget = "proxmox_server";
    public const string VmTarget = "vm";
}
