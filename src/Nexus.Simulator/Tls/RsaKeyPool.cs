using System.Security.Cryptography;

namespace Nexus.Simulator.Tls;

/// <summary>
/// A few RSA-2048 keys shared by every simulated CA, node certificate and ticket signer in the process.
/// Proxmox uses RSA-2048 (pve-root-ca, pve-ssl, authkey); generating one per node would make starting
/// 200 clusters take a minute. Certificates stay distinct (serial, subject, dates), so fingerprints differ.
/// </summary>
internal static class RsaKeyPool
{
    private const int Size = 6;
    private static readonly Lazy<RSA[]> Keys = new(() =>
        Enumerable.Range(0, Size).Select(_ => RSA.Create(2048)).ToArray());

    public static RSA Get(int index) => Keys.Value[((index % Size) + Size) % Size];
}
