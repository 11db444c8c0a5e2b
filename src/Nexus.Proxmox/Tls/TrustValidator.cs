using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nexus.Proxmox.Configuration;

namespace Nexus.Proxmox.Tls;

/// <summary>
/// The certificate check for one endpoint, used by the API handler, the console WebSocket and the
/// connectivity test alike. It remembers the last certificate it refused so the caller can offer a re-pin.
/// </summary>
internal sealed class TrustValidator
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private volatile TrustState _state;
    private volatile Rejection? _lastRejection;

    public TrustValidator(ProxmoxTrust trust) => _state = TrustState.Create(trust);

    public ProxmoxTrust Trust => _state.Trust;

    /// <summary>The certificate most recently refused (and why), for <see cref="Errors.ProxmoxTlsException"/>.</summary>
    public Rejection? LastRejection => _lastRejection;

    /// <summary>Takes effect for new TLS handshakes; pooled connections end within the pool lifetime.</summary>
    public void Replace(ProxmoxTrust trust) => _state = TrustState.Create(trust);

    public RemoteCertificateValidationCallback Callback => (_, certificate, chain, errors) => Validate(certificate, chain, errors);

    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            _lastRejection = new Rejection(null, "The server presented no certificate.", DateTimeOffset.UtcNow);
            return false;
        }
        var state = _state;
        var failure = state.Trust switch
        {
            PinnedFingerprints pinned => CheckPin(pinned, certificate),
            ClusterCertificateAuthority => CheckCa(state.Roots!, certificate, chain),
            _ => errors == SslPolicyErrors.None ? null : $"The certificate is not trusted by the system store ({errors}).",
        };
        if (failure is null)
        {
            return true;
        }
        _lastRejection = new Rejection(PresentedCertificate.From(certificate), failure, DateTimeOffset.UtcNow);
        return false;
    }

    // Exact pinning, as PDM does: the pinned leaf is trusted whatever its chain, names or dates say,
    // because a person accepted exactly this certificate (PVE's self-signed node certificates fail all three).
    private static string? CheckPin(PinnedFingerprints pinned, X509Certificate certificate)
    {
        var presented = CertificateFingerprint.Of(certificate);
        return pinned.Fingerprints.Contains(presented, StringComparer.Ordinal)
            ? null
            : $"The certificate fingerprint {presented} matches no pinned fingerprint.";
    }

    // The cluster CA is the only root; chain, validity dates and the serverAuth usage are enforced. Only the
    // host-name check is relaxed: PVE node certificates list just the node's own IPs, localhost, short name and
    // FQDN, so a NAT address, a Tailscale name or a DNS alias never matches, yet a leaf issued by this cluster's
    // private CA can only be one of its nodes. Revocation is not checked: pve-root-ca publishes no CRL or OCSP.
    private static string? CheckCa(X509Certificate2Collection roots, X509Certificate certificate, X509Chain? presentedChain)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (presentedChain is not null)
        {
            // Intermediates the server sent along, if any.
            chain.ChainPolicy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
        }
        if (chain.Build(leaf))
        {
            return null;
        }
        var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return $"The certificate does not chain to the configured cluster CA ({reasons}).";
    }

    internal sealed record Rejection(PresentedCertificate? Certificate, string Reason, DateTimeOffset At);

    private sealed record TrustState(ProxmoxTrust Trust, X509Certificate2Collection? Roots)
    {
        public static TrustState Create(ProxmoxTrust trust)
        {
            ArgumentNullException.ThrowIfNull(trust);
            return new TrustState(trust, trust is ClusterCertificateAuthority ca ? CertificateFingerprint.LoadPem(ca.CaPem) : null);
        }
    }
}
