namespace Nexus.Proxmox.Api.Models;

/// <summary><c>GET /nodes/{node}/tasks/{upid}/status</c>.</summary>
public sealed record ProxmoxTaskStatus
{
    public string Upid { get; init; } = string.Empty;

    public string Node { get; init; } = string.Empty;

    /// <summary><c>running|stopped</c>.</summary>
    public string Status { get; init; } = string.Empty;

    /// <summary>Present once stopped: <c>OK</c>, <c>WARNINGS: n</c> or the error text (<c>VM 100 not running</c>).</summary>
    public string? ExitStatus { get; init; }

    public string Type { get; init; } = string.Empty;

    /// <summary>A string in the wire format (task <c>id</c>), e.g. the vmid.</summary>
    public string? Id { get; init; }

    public string User { get; init; } = string.Empty;

    /// <summary>Present for tasks a token started.</summary>
    public string? TokenId { get; init; }

    public long? StartTime { get; init; }

    public long? Pid { get; init; }

    public bool IsRunning => string.Equals(Status, "running", StringComparison.Ordinal);

    /// <summary>Stopped with <c>OK</c> or <c>WARNINGS: n</c>.</summary>
    public bool Succeeded => !IsRunning && ExitStatus is not null
        && (ExitStatus == "OK" || ExitStatus.StartsWith("WARNINGS", StringComparison.Ordinal));

    /// <summary>Stopped with anything else; <see cref="ExitStatus"/> is the reason.</summary>
    public bool Failed => !IsRunning && !Succeeded;
}
