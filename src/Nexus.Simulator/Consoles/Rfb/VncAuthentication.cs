using System.Security.Cryptography;
using System.Text;

namespace Nexus.Simulator.Consoles.Rfb;

/// <summary>
/// RFB security type 2: the 16-byte challenge encrypted with DES (two ECB blocks) under a key made of the
/// password's first 8 bytes, zero-padded, each byte bit-reversed (the VNC quirk).
/// </summary>
internal static class VncAuthentication
{
    public const int ChallengeLength = 16;

    public static byte[] NewChallenge() => RandomNumberGenerator.GetBytes(ChallengeLength);

    public static byte[] Encrypt(string password, ReadOnlySpan<byte> challenge)
    {
        var key = new byte[8];
        var bytes = Encoding.Latin1.GetBytes(password);
        for (var i = 0; i < Math.Min(8, bytes.Length); i++)
            key[i] = ReverseBits(bytes[i]);

        // RFB mandates DES here; .NET's DES works on this platform (checked against the FIPS 81 vectors in tests).
#pragma warning disable CA5351
        using var des = DES.Create();
#pragma warning restore CA5351
        des.Key = key;
        return des.EncryptEcb(challenge, PaddingMode.None);
    }

    public static bool Verify(string password, ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> response)
    {
        try
        {
            return CryptographicOperations.FixedTimeEquals(Encrypt(password, challenge), response);
        }
        catch (CryptographicException)
        {
            // .NET refuses DES weak keys (e.g. an empty password); QEMU would accept them, no real password hits this.
            return false;
        }
    }

    private static byte ReverseBits(byte b)
    {
        var r = 0;
        for (var i = 0; i < 8; i++)
            r |= ((b >> i) & 1) << (7 - i);
        return (byte)r;
    }
}
