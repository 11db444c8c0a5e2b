namespace Nexus.Proxmox.Api.Models;

/// <summary>A QEMU virtual machine or an LXC container (the path segment <c>qemu</c> / <c>lxc</c>).</summary>
public enum GuestType
{
    Qemu,
    Lxc,
}

internal static class GuestTypePath
{
    public static string Segment(this GuestType type) => type switch
    {
        GuestType.Qemu => "qemu",
        GuestType.Lxc => "lxc",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
