using Nexus.Data.Access;
using Nexus.Data.Servers;
using Nexus.Data.Tenants;
using Nexus.Grains.Servers;

namespace Nexus.Host.Servers;

/// <summary>
/// <see cref="IServerConfigSource"/> over PostgreSQL (background role): the server row, its credential opened
/// in memory, and the tenant's settings for polling and health. A server of an inactive tenant loads as inactive.
/// </summary>
internal sealed class ServerConfigSource(INexusDatabase database, ServerStore servers, TenantStore tenants,
    TenantSettingsStore settings, ServerRuntime runtime) : IServerConfigSource
{
    public async Task<ServerRuntimeConfig?> LoadAsync(Guid serverId, CancellationToken ct)
    {
        var loaded = await database.AsSystemAsync(async session =>
        {
            var stored = await servers.FindWithCredentialAsync(session, serverId);
            if (stored is null)
            {
                return default;
            }
            var tenant = await tenants.FindAsync(session, stored.Server.TenantId);
            var tenantSettings = await settings.GetAsync(session, stored.Server.TenantId);
            return (stored, tenant?.IsActive ?? false, tenantSettings);
        }, ct);
        if (loaded.stored is not { } stored)
        {
            return null;
        }
        var server = stored.Server;
        var values = loaded.tenantSettings?.Values;
        return new ServerRuntimeConfig(
            server.Id,
            server.TenantId,
            server.Name,
            server.IsActive && loaded.Item2,
            runtime.ToProxmox(stored),
            TimeSpan.FromSeconds(server.PollIntervalSeconds ?? values?.PollIntervalSeconds ?? 10),
            new ServerHealthThresholds(
                (double)(values?.AlertSuccessRateThreshold ?? 80m),
                values?.AlertLatencyThresholdMs ?? 500,
                TimeSpan.FromSeconds(values?.AlertOfflineDurationSeconds ?? 60),
                values?.NotifyOnServerOffline ?? true));
    }

    public Task<IReadOnlyList<Guid>> ListActiveAsync(CancellationToken ct) =>
        database.AsSystemAsync(session => servers.ListActiveIdsAsync(session), ct);
}
