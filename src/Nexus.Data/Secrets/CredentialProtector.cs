using System.Security.Cryptography;
using System.Text;

namespace Nexus.Data.Secrets;

/// <summary>A credential as stored: the sealed bytes and the id of the key that sealed them.</summary>
public sealed record ProtectedSecret(byte[] Ciphertext, string KeyId)
{
    /// <summary>Never shows the bytes.</summary>
    public override string ToString() => $"ProtectedSecret(key {KeyId}, {Ciphertext.Length} bytes)";
}

/// <summary>A stored credential that cannot be opened: its key is not configured, or the bytes were altered or moved.</summary>
public sealed class CredentialUnavailableException(string message) : Exception(message);

/// <summary>
/// Seals credentials with AES-256-GCM: a random 12-byte nonce per seal, a 16-byte tag, the key id stored
/// beside the bytes. The associated data binds a ciphertext to its owner (a server's id) and to its key id, so
/// a ciphertext copied onto another server's row, or relabelled with another key id, does not open.
/// Layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class CredentialProtector(CredentialKeyRing ring)
{
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int HeaderBytes = 1 + NonceBytes + TagBytes;

    public string ActiveKeyId => ring.ActiveKeyId;

    public ProtectedSecret Protect(string plaintext, Guid owner)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var keyId = ring.ActiveKeyId;
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[HeaderBytes + clear.Length];
        sealedBytes[0] = Version;
        var nonce = sealedBytes.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(ring.ActiveKey, TagBytes))
        {
            aes.Encrypt(nonce, clear, sealedBytes.AsSpan(HeaderBytes), sealedBytes.AsSpan(1 + NonceBytes, TagBytes), AssociatedData(owner, keyId));
        }
        CryptographicOperations.ZeroMemory(clear);
        return new ProtectedSecret(sealedBytes, keyId);
    }

    public string Unprotect(ProtectedSecret secret, Guid owner)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (!ring.TryGetKey(secret.KeyId, out var key))
        {
            throw new CredentialUnavailableException(
                $"The credential is sealed with key '{secret.KeyId}', which is not configured ({CredentialOptions.Section}:Keys).");
        }
        var bytes = secret.Ciphertext;
        if (bytes.Length < HeaderBytes || bytes[0] != Version)
        {
            throw new CredentialUnavailableException("The stored credential is not in a known format.");
        }
        var clear = new byte[bytes.Length - HeaderBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(bytes.AsSpan(1, NonceBytes), bytes.AsSpan(HeaderBytes), bytes.AsSpan(1 + NonceBytes, TagBytes), clear, AssociatedData(owner, secret.KeyId));
            return Encoding.UTF8.GetString(clear);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CredentialUnavailableException("The stored credential does not authenticate (altered, or not this server's).");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clear);
        }
    }

    /// <summary>Whether the secret is sealed with the active key (rotation skips it).</summary>
    public bool IsCurrent(ProtectedSecret secret) => secret?.KeyId == ring.ActiveKeyId;

    private static byte[] AssociatedData(Guid owner, string keyId) =>
        Encoding.UTF8.GetBytes($"nexus.credential.v1|{owner:D}|{keyId}");
}
