using System.Security.Cryptography;
using System.Text;

namespace Nexus.Benchmarks.Relay;

/// <summary>
/// RFB VNC authentication, client side, for the direct path (the relay answers it itself for Nexus; websockify's target
/// offers None). Hand-written because no library does RFB's key quirk: DES-ECB under the password's first 8 bytes,
/// zero-padded, each byte's bits reversed.
/// </summary>
internal static class VncChallenge
{
    public const int Length = 16;

    public static byte[] Respond(string password, byte[] challenge)
    {
        var key = new byte[8];
        var bytes = Encoding.Latin1.GetBytes(password);
        for (var i = 0; i < Math.Min(8, bytes.Length); i++)
        {
            key[i] = ReverseBits(bytes[i]);
        }
        // RFB mandates DES on the wire; the wss around it is the protection.
#pragma warning disable CA5351
        using var des = DES.Create();
#pragma warning restore CA5351
        des.Key = key;
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
