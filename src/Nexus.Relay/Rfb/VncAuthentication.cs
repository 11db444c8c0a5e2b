using System.Security.Cryptography;
using System.Text;

namespace Nexus.Relay.Rfb;

/// <summary>
/// RFB security type 2 (VNC Authentication), client side: the 16-byte challenge encrypted with DES in ECB mode under
/// a key made of the password's first 8 bytes, zero-padded, each byte's bits reversed (a quirk of the original VNC
/// code that every server, QEMU included, keeps).
/// </summary>
internal static class VncAuthentication
{
    public const int ChallengeLength = 16;

    /// <summary>Throws <see cref="CryptographicException"/> for a DES weak key (no Proxmox password produces one).</summary>
    public static byte[] Respond(string password, ReadOnlySpan<byte> challenge)
    {
        if (challenge.Length != ChallengeLength)
        {
            throw new ArgumentException("A VNC challenge has 16 bytes.", nameof(challenge));
        }
        Span<byte> key = stackalloc byte[8];
        key.Clear();
        var bytes = Encoding.Latin1.GetBytes(password);
        for (var i = 0; i < Math.Min(8, bytes.Length); i++)
        {
            key[i] = ReverseBits(bytes[i]);
        }
        // RFB mandates DES here (no choice on the wire); the outer wss carries the actual protection.
#pragma warning disable CA5351
        using var des = DES.Create();
#pragma warning restore CA5351
        des.Key = key.ToArray();
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(bytes);
        return des.EncryptEcb(challenge, PaddingMode.None);
    }

    private static byte ReverseBits(byte value)
    {
        var reversed = 0;
        for (var i = 0; i < 8; i++)
        {
            reversed |= ((value >> i) & 1) << (7 - i);
        }
        return (byte)reversed;
    }
}
