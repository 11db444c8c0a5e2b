using Nexus.Proxmox.Configuration;

namespace Nexus.Grains.Servers;

/// <summary>
/// What a server's grain needs to run, loaded from the system of record with the credential decrypted.
/// It lives in memory only: never persisted in grain state, never logged, never returned by the API.
/// </summary>
public sealed record ServerRuntimeConfig(
    Guid ServerId,
    Guid TenantId,
    string Name,
    bool IsActive,
    ProxmoxServerConfig Proxmox,
    TimeSpan PollInterval,
    ServerHealthThresholds Thresholds);

/// <summary>The tenant's alert settings, as a server's grain applies them (seed-features §1.8).</summary>
public sealed record ServerHealthThresholds(
    double SuccessRatePercent,
    double LatencyMs,
    TimeSpan OfflineAfter,
    bool NotifyOnOffline);

/// <summary>Loads a server's configuration for its grain; implemented over PostgreSQL (background role).</summary>
public interface IServerConfigSource
{
    /// <summary>The server's configuration, or null when it no longer exists.</summary>
    Task<ServerRuntimeConfig?> LoadAsync(Guid serverId, CancellationToken ct);

    /// <summary>Ids of every active server, for re-arming polling after a full cluster restart.</summary>
    Task<IReadOnlyList<Guid>> ListActiveAsync(CancellationToken ct);
}
