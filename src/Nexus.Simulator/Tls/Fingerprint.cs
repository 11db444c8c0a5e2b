using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nexus.Simulator.Tls;

/// <summary>Proxmox's fingerprint form: SHA-256 of the DER certificate, uppercase hex pairs joined by colons.</summary>
public static class Fingerprint
{
    public static string Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return string.Join(':', SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
