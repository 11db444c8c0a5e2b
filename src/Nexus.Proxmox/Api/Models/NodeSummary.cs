using System.Text.Json.Serialization;

namespace Nexus.Proxmox.Api.Models;

/// <summary>An item of <c>GET /nodes</c>. Stats are absent for offline nodes and without <c>Sys.Audit</c>.</summary>
public sealed record NodeSummary
{
    public string Node { get; init; } = string.Empty;

    public string? Id { get; init; }

    /// <summary><c>online|offline|unknown</c>.</summary>
    public string Status { get; init; } = "unknown";

    public long? Uptime { get; init; }

    /// <summary>A fraction (0..1) of all cores.</summary>
    public double? Cpu { get; init; }

    public double? MaxCpu { get; init; }

    public long? Mem { get; init; }

    public long? MaxMem { get; init; }

    public long? Disk { get; init; }

    public long? MaxDisk { get; init; }

    /// <summary>Subscription level: empty for none, else c, b, s or p.</summary>
    public string? Level { get; init; }

    /// <summary>The node's certificate fingerprint (uppercase colon hex SHA-256): what to pin for this node.</summary>
    [JsonPropertyName("ssl_fingerprint")]
    public string? SslFingerprint { get; init; }

    public bool IsOnline => string.Equals(Status, "online", StringComparison.Ordinal);
}
