using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nexus.Proxmox.Tls;

/// <summary>Proxmox's fingerprint form: SHA-256 of the DER certificate, uppercase hex pairs joined by ':' (95 characters).</summary>
public static class CertificateFingerprint
{
    public static string Of(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Format(SHA256.HashData(certificate.GetRawCertData()));
    }

    /// <summary>
    /// Normalizes a user-supplied fingerprint (any case, with ':' or without separators, spaces tolerated)
    /// to uppercase colon hex; throws <see cref="FormatException"/> if it is not a SHA-256 fingerprint.
    /// </summary>
    public static string Normalize(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var hex = new string(fingerprint.Where(c => c is not (':' or ' ' or '-')).ToArray());
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            throw new FormatException(
                $"'{fingerprint}' is not a SHA-256 certificate fingerprint (32 bytes as hex, e.g. AB:CD:…).");
        }
        return Format(Convert.FromHexString(hex));
    }

    private static string Format(byte[] hash) =>
        string.Join(':', hash.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    internal static X509Certificate2Collection LoadPem(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return collection;
    }
}
