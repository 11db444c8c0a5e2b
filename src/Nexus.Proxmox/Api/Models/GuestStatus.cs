namespace Nexus.Proxmox.Api.Models;

/// <summary><c>GET /nodes/{node}/{qemu|lxc}/{vmid}/status/current</c>.</summary>
public sealed record GuestStatus : GuestSummary
{
    /// <summary>QEMU only: the QMP run state (<c>running</c>, <c>paused</c> after suspend, <c>prelaunch</c>; equals status when stopped).</summary>
    public string? QmpStatus { get; init; }

    public GuestHaStatus? Ha { get; init; }

    /// <summary>The guest agent is enabled.</summary>
    public bool? Agent { get; init; }

    public bool? Spice { get; init; }

    /// <summary><c>vnc</c> when the noVNC clipboard works (<c>vga: …,clipboard=vnc</c>).</summary>
    public string? Clipboard { get; init; }

    public bool? Serial { get; init; }

    public long? Balloon { get; init; }

    public long? FreeMem { get; init; }

    /// <summary>The effective run state: the QMP state when QEMU reports one, else <see cref="GuestSummary.Status"/>.</summary>
    public string RunState => string.IsNullOrEmpty(QmpStatus) ? Status : QmpStatus;
}

/// <summary>The <c>ha</c> object: <c>{"managed":0}</c> or <c>{"managed":1,"state":"started"}</c>.</summary>
public sealed record GuestHaStatus
{
    public bool Managed { get; init; }

    public string? State { get; init; }
}
