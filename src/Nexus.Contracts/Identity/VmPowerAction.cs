namespace Nexus.Contracts.Identity;

/// <summary>The Proxmox power actions (<c>POST /nodes/{node}/{type}/{vmid}/status/{action}</c>).</summary>
public enum VmPowerAction
{
    Start,
    Resume,
    Stop,
    Shutdown,
    Suspend,
    Reset,
    Reboot,
}
