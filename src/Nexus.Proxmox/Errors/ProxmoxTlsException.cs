using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Tls;

namespace Nexus.Proxmox.Errors;

/// <summary>
/// The server's certificate was refused (pin mismatch, untrusted chain). Carries what was presented so the UI
/// can show it and offer to pin <see cref="PresentedFingerprint"/>, as PDM's "Check certificate" does.
/// </summary>
public sealed class ProxmoxTlsException : ProxmoxException
{
    internal ProxmoxTlsException(ProxmoxEndpoint endpoint, PresentedCertificate? presented, string reason, Exception? inner)
        : base(endpoint, null, null, null, null, $"{endpoint}: TLS certificate refused: {reason}", inner)
    {
        Presented = presented;
        Reason = reason;
    }

    public PresentedCertificate? Presented { get; }

    /// <summary>Uppercase colon hex SHA-256 of the presented leaf; pin this to accept it.</summary>
    public string? PresentedFingerprint => Presented?.Fingerprint;

    public string Reason { get; }
}
