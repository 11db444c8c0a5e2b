using Nexus.Data.Secrets;
using Nexus.Data.Servers;
using Nexus.Data.Tenants;
using Nexus.Proxmox.Configuration;

namespace Nexus.Host.Servers;

/// <summary>Turns a stored server into what the Proxmox client needs, opening the credential in memory only.</summary>
internal sealed class ServerRuntime(CredentialProtector protector)
{
    /// <summary>
    /// The client configuration of <paramref name="stored"/>. Throws <see cref="CredentialUnavailableException"/>
    /// when the token cannot be opened (its key is not configured, or the row was tampered with).
    /// </summary>
    public ProxmoxServerConfig ToProxmox(ServerWithCredential stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var server = stored.Server;
        var token = ProxmoxApiToken.Parse(protector.Unprotect(stored.Credential, server.Id));
        var secondary = server.SecondaryHost is { } host ? new ProxmoxEndpoint(host, server.SecondaryPort ?? ServerInput.DefaultPort) : null;
        return new ProxmoxServerConfig(server.Name, new ProxmoxEndpoint(server.Host, server.Port), secondary, Trust(server), token);
    }

    public static ProxmoxTrust Trust(ServerRecord server) => server.TrustMode switch
    {
        ServerTrustMode.Pinned => ProxmoxTrust.Pinned(server.PinnedFingerprints),
        ServerTrustMode.ClusterCa => ProxmoxTrust.ClusterCa(server.CaPem!),
        _ => ProxmoxTrust.SystemStore,
    };

    /// <summary>The server's own timeout, else its tenant's default (seed: 10 s).</summary>
    public static TimeSpan ConnectionTimeout(ServerRecord server, TenantSettings? settings) =>
        TimeSpan.FromMilliseconds(server.ConnectionTimeoutMs ?? settings?.Values.DefaultConnectionTimeoutMs ?? 10_000);
}
