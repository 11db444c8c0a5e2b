using System.Security.Cryptography;

namespace Nexus.Host.Identity;

/// <summary>
/// Refresh tokens are 256 random bits sent to the browser once; the database keeps only their SHA-256, so a
/// leaked table does not yield usable tokens (a fast hash is enough for a random secret of this size).
/// </summary>
internal static class RefreshTokenValue
{
    public static (string Token, byte[] Hash) New()
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, HashOf(token));
    }

    public static byte[] HashOf(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));
}
