using System.Collections.Concurrent;
using Nexus.Grains.Consoles;
using Nexus.Grains.Servers;
using Nexus.Proxmox.Connections;

namespace Nexus.Host.Consoles;

/// <summary>
/// This silo's Proxmox connections for the consoles it pumps, one per server, built from
/// <see cref="IServerConfigSource"/> (the credential is decrypted into memory here only). The server's grain owns
/// the cluster's polling connection, possibly on another silo; the pump needs its own because the vncwebsocket
/// upgrade must be made from the silo that holds the browser's socket. An entry is replaced when a grant carries
/// another <see cref="ServerConfigStamp"/> (the configuration changed) or when Proxmox refuses its token.
/// </summary>
internal sealed class PumpConnections(IServerConfigSource configs, ServerConnectionFactory factory, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan RetiredConnectionGrace = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Guid, (string Stamp, ProxmoxConnection Connection)> _connections = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<ProxmoxConnection> GetAsync(Guid serverId, string stamp, CancellationToken ct)
    {
        if (_connections.TryGetValue(serverId, out var entry) && entry.Stamp == stamp)
        {
            return entry.Connection;
        }
        return await ReloadAsync(serverId, stale: entry.Connection, ct);
    }

    /// <summary>Reads the configuration again and replaces <paramref name="stale"/> (unless another caller already did).</summary>
    public async Task<ProxmoxConnection> ReloadAsync(Guid serverId, ProxmoxConnection? stale, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_connections.TryGetValue(serverId, out var current) && !ReferenceEquals(current.Connection, stale))
            {
                return current.Connection;
            }
            var config = await configs.LoadAsync(serverId, ct)
                ?? throw new ConsoleUpstreamException("The server is no longer configured.");
            if (!config.IsActive)
            {
                throw new ConsoleUpstreamException("The server is disabled.");
            }
            var connection = factory.Create(config.Proxmox, null, serverId);
            _connections[serverId] = (ServerConfigStamp.Of(config.Proxmox), connection);
            if (current.Connection is { } old)
            {
                // An upgrade may still be in flight on the old one.
                _ = Task.Delay(RetiredConnectionGrace, time).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
            }
            return connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var (_, connection) in _connections.Values)
        {
            connection.Dispose();
        }
        _connections.Clear();
        _gate.Dispose();
    }
}

/// <summary>
/// The control plane could not set up the Proxmox side (no ticket, no configuration). A <c>ProxmoxException</c>, so
/// the pump closes the browser with 4502; the detailed reason goes to the session record through its grain.
/// </summary>
internal sealed class ConsoleUpstreamException(string message) : Nexus.Proxmox.Errors.ProxmoxException(message);
