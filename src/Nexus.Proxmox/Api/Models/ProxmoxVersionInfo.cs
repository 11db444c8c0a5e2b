namespace Nexus.Proxmox.Api.Models;

/// <summary><c>GET /version</c>.</summary>
public sealed record ProxmoxVersionInfo
{
    public string Version { get; init; } = string.Empty;

    public string Release { get; init; } = string.Empty;

    public string? RepoId { get; init; }

    /// <summary>The datacenter default viewer (<c>applet|vv|html5|xtermjs</c>); optional.</summary>
    public string? Console { get; init; }
}
