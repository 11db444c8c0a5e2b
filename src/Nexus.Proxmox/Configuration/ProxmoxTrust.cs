using Nexus.Proxmox.Tls;

namespace Nexus.Proxmox.Configuration;

/// <summary>
/// How a server's TLS certificate is trusted. There is deliberately no "accept anything" option:
/// an unknown certificate is probed (<see cref="CertificateProbe"/>) and then pinned by a person.
/// </summary>
public abstract record ProxmoxTrust
{
    private protected ProxmoxTrust()
    {
    }

    /// <summary>Exact pinning of the leaf certificate by SHA-256 fingerprint (one per node, as PDM does).</summary>
    public static ProxmoxTrust Pinned(IEnumerable<string> fingerprints) => new PinnedFingerprints(fingerprints);

    /// <summary>Pins given as uppercase colon hex (<c>AB:CD:…</c>); other spellings are normalized.</summary>
    public static ProxmoxTrust Pinned(params string[] fingerprints) => new PinnedFingerprints(fingerprints);

    /// <summary>The cluster's own CA (<c>pve-root-ca.pem</c>) as the only trusted root.</summary>
    public static ProxmoxTrust ClusterCa(string caPem) => new ClusterCertificateAuthority(caPem);

    /// <summary>The operating system's trust store (ACME / public certificates), with the normal host-name check.</summary>
    public static ProxmoxTrust SystemStore { get; } = new SystemTrustStore();
}

/// <summary>Leaf fingerprints (SHA-256 of the DER certificate), normalized to uppercase colon hex.</summary>
public sealed record PinnedFingerprints : ProxmoxTrust
{
    public PinnedFingerprints(IEnumerable<string> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        Fingerprints = fingerprints.Select(CertificateFingerprint.Normalize).Distinct(StringComparer.Ordinal).ToArray();
        if (Fingerprints.Count == 0)
        {
            throw new ArgumentException("At least one fingerprint is needed to pin a server.", nameof(fingerprints));
        }
    }

    public IReadOnlyList<string> Fingerprints { get; }

    public bool Equals(PinnedFingerprints? other) =>
        other is not null && Fingerprints.SequenceEqual(other.Fingerprints, StringComparer.Ordinal);

    public override int GetHashCode() => Fingerprints.Aggregate(17, (h, f) => HashCode.Combine(h, f));

    public override string ToString() => $"Pinned[{string.Join(", ", Fingerprints)}]";
}

/// <summary>A private CA PEM (one or more certificates) used as the only roots for chain building.</summary>
public sealed record ClusterCertificateAuthority : ProxmoxTrust
{
    public ClusterCertificateAuthority(string caPem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caPem);
        // Parse once here so a bad PEM fails at configuration time, not on the first request.
        if (CertificateFingerprint.LoadPem(caPem).Count == 0)
        {
            throw new ArgumentException("The CA PEM holds no certificate.", nameof(caPem));
        }
        CaPem = caPem;
    }

    public string CaPem { get; }

    public override string ToString() => "ClusterCa";
}

/// <summary>The system trust store with standard validation.</summary>
public sealed record SystemTrustStore : ProxmoxTrust
{
    internal SystemTrustStore()
    {
    }

    public override string ToString() => "SystemStore";
}
