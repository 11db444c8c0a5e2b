using System.Security.Cryptography.X509Certificates;

namespace Nexus.Proxmox.Tls;

/// <summary>What a server's certificate says, enough for a person to decide whether to pin it.</summary>
public sealed record PresentedCertificate(
    string Fingerprint,
    string Subject,
    string Issuer,
    IReadOnlyList<string> SubjectAlternativeNames,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Pem)
{
    public bool IsSelfSigned => string.Equals(Subject, Issuer, StringComparison.Ordinal);

    internal static PresentedCertificate From(X509Certificate certificate)
    {
        using var cert = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return From(cert);
    }

    internal static PresentedCertificate From(X509Certificate2 cert)
    {
        var sans = new List<string>();
        foreach (var extension in cert.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                sans.AddRange(san.EnumerateDnsNames());
                sans.AddRange(san.EnumerateIPAddresses().Select(a => a.ToString()));
            }
        }
        return new PresentedCertificate(
            CertificateFingerprint.Of(cert),
            cert.Subject,
            cert.Issuer,
            sans,
            new DateTimeOffset(cert.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(cert.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            cert.ExportCertificatePem());
    }
}
