namespace Nexus.Proxmox.Api.Models;

/// <summary><c>POST …/status/{action}</c>. Reset is QEMU only.</summary>
public enum PowerAction
{
    Start,
    Stop,
    Shutdown,
    Reboot,
    Reset,
    Suspend,
    Resume,
}

internal static class PowerActionPath
{
    public static string Segment(this PowerAction action) => action switch
    {
        PowerAction.Start => "start",
        PowerAction.Stop => "stop",
        PowerAction.Shutdown => "shutdown",
        PowerAction.Reboot => "reboot",
        PowerAction.Reset => "reset",
        PowerAction.Suspend => "suspend",
        PowerAction.Resume => "resume",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>The task type a successful action leaves behind (proxmox-api.md §2.7).</summary>
    public static string TaskType(this PowerAction action, GuestType type) => (type, action) switch
    {
        (GuestType.Qemu, PowerAction.Suspend) => "qmpause",
        (GuestType.Qemu, _) => "qm" + action.Segment(),
        (GuestType.Lxc, _) => "vz" + action.Segment(),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
