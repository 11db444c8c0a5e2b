namespace Nexus.Proxmox.Api.Models;

/// <summary>An item of <c>GET /nodes/{node}/tasks</c>. <c>status</c> is the exit status once the task ended.</summary>
public sealed record ProxmoxTaskListEntry
{
    public string Upid { get; init; } = string.Empty;

    public string Node { get; init; } = string.Empty;

    public string Type { get; init; } = string.Empty;

    public string? Id { get; init; }

    public string User { get; init; } = string.Empty;

    public long? StartTime { get; init; }

    /// <summary>Absent while running.</summary>
    public long? EndTime { get; init; }

    /// <summary>Absent while running; then <c>OK</c>, <c>WARNINGS: n</c> or the error.</summary>
    public string? Status { get; init; }
}
