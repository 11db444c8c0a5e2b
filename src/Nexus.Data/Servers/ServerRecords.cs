using Nexus.Data.Secrets;

namespace Nexus.Data.Servers;

/// <summary>How a server's TLS certificate is trusted (stored as <c>pinned</c>, <c>ca</c>, <c>system</c>).</summary>
public enum ServerTrustMode
{
    /// <summary>Exact SHA-256 pins of the nodes' leaf certificates (PDM's way; the normal path after a probe).</summary>
    Pinned,

    /// <summary>The cluster's own CA (<c>pve-root-ca.pem</c>) as the only root.</summary>
    ClusterCa,

    /// <summary>The operating system's trust store (ACME or other public certificates).</summary>
    SystemStore,
}

/// <summary>A registered server as the API shows it; the credential is not part of it.</summary>
public sealed record ServerRecord(
    Guid Id,
    Guid TenantId,
    string Name,
    string Host,
    int Port,
    string? SecondaryHost,
    int? SecondaryPort,
    string? TokenId,
    ServerTrustMode TrustMode,
    IReadOnlyList<string> PinnedFingerprints,
    string? CaPem,
    bool IsActive,
    int? PollIntervalSeconds,
    int? ConnectionTimeoutMs,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    Guid? CreatedBy);

/// <summary>
/// Every editable value of a server, written as a whole (create, or edit after merging the changes).
/// Pins and CA must match <see cref="TrustMode"/> (CHECK <c>servers_trust_consistent</c>).
/// </summary>
public sealed record ServerDraft(
    string Name,
    string Host,
    int Port,
    string? SecondaryHost,
    int? SecondaryPort,
    string TokenId,
    ServerTrustMode TrustMode,
    IReadOnlyList<string> PinnedFingerprints,
    string? CaPem,
    bool IsActive,
    int? PollIntervalSeconds,
    int? ConnectionTimeoutMs)
{
    public static ServerDraft From(ServerRecord server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new(server.Name, server.Host, server.Port, server.SecondaryHost, server.SecondaryPort, server.TokenId ?? "",
            server.TrustMode, server.PinnedFingerprints, server.CaPem, server.IsActive, server.PollIntervalSeconds, server.ConnectionTimeoutMs);
    }
}

/// <summary>A server with its sealed credential, for the code that talks to Proxmox (never for API answers).</summary>
public sealed record ServerWithCredential(ServerRecord Server, ProtectedSecret Credential);
