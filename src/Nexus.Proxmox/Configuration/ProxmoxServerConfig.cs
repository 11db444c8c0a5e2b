namespace Nexus.Proxmox.Configuration;

/// <summary>
/// Everything needed to talk to one Proxmox VE cluster: a primary endpoint, an optional secondary (for example
/// the Tailscale path), how TLS is trusted, and the API token. <see cref="ToString"/> never shows the secret.
/// </summary>
/// <param name="Name">A label for logs and events (a server id or name; not a secret).</param>
/// <param name="Primary">The direct endpoint.</param>
/// <param name="Secondary">The fallback endpoint, used while the primary is failing.</param>
/// <param name="Trust">TLS trust for the primary (and the secondary unless <paramref name="SecondaryTrust"/> is set).</param>
/// <param name="Token">The API token.</param>
/// <param name="SecondaryTrust">TLS trust for the secondary when it presents another certificate (a Tailscale Funnel's public one).</param>
public sealed record ProxmoxServerConfig(
    string Name,
    ProxmoxEndpoint Primary,
    ProxmoxEndpoint? Secondary,
    ProxmoxTrust Trust,
    ProxmoxApiToken Token,
    ProxmoxTrust? SecondaryTrust = null)
{
    internal ProxmoxTrust TrustFor(ProxmoxEndpoint endpoint) =>
        Secondary is not null && endpoint == Secondary && SecondaryTrust is not null ? SecondaryTrust : Trust;

    internal IEnumerable<ProxmoxEndpoint> Endpoints =>
        Secondary is null ? [Primary] : [Primary, Secondary];
}
