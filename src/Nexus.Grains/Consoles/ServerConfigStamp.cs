using System.Security.Cryptography;
using System.Text;
using Nexus.Proxmox.Configuration;

namespace Nexus.Grains.Consoles;

/// <summary>
/// A short digest of what a connection to a server depends on (endpoints, TLS trust, the token id). The server's
/// grain stamps each console grant with it; a pump silo whose cached connection has another stamp reloads the
/// configuration first, so vncproxy and vncwebsocket use the same endpoint, trust and token. A new secret for the
/// same token id cannot be seen here (the client never exposes it): the pump reloads and retries once on a 401.
/// </summary>
public static class ServerConfigStamp
{
    public static string Of(ProxmoxServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var text = new StringBuilder()
            .Append(config.Primary).Append('|')
            .Append(config.Secondary).Append('|')
            .Append(Describe(config.Trust)).Append('|')
            .Append(config.SecondaryTrust is null ? "-" : Describe(config.SecondaryTrust)).Append('|')
            .Append(config.Token.TokenId);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())), 0, 12);
    }

    private static string Describe(ProxmoxTrust trust) => trust switch
    {
        ClusterCertificateAuthority ca => "ca:" + ca.CaPem,
        _ => trust.ToString(),
    };
}
