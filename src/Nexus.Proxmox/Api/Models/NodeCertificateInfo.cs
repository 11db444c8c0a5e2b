using System.Text.Json.Serialization;

namespace Nexus.Proxmox.Api.Models;

/// <summary>An item of <c>GET /nodes/{node}/certificates/info</c>.</summary>
public sealed record NodeCertificateInfo
{
    public string FileName { get; init; } = string.Empty;

    /// <summary>Uppercase colon hex SHA-256.</summary>
    public string? Fingerprint { get; init; }

    public string? Subject { get; init; }

    public string? Issuer { get; init; }

    /// <summary>Unix seconds.</summary>
    public long? NotBefore { get; init; }

    /// <summary>Unix seconds.</summary>
    public long? NotAfter { get; init; }

    public IReadOnlyList<string>? San { get; init; }

    public string? Pem { get; init; }

    [JsonPropertyName("public-key-type")]
    public string? PublicKeyType { get; init; }

    [JsonPropertyName("public-key-bits")]
    public int? PublicKeyBits { get; init; }
}
