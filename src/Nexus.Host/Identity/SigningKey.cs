using Microsoft.IdentityModel.Tokens;
using Nexus.Host.Startup;

namespace Nexus.Host.Identity;

/// <summary>The HMAC key access tokens are signed and checked with: configured, or generated once into the data folder.</summary>
internal sealed class SigningKey
{
    public const string SecretName = "jwt-signing-key";

    public SigningKey(AuthOptions options, NexusDataFolder dataFolder)
    {
        var base64 = string.IsNullOrEmpty(options.SigningKey) ? dataFolder.GetOrCreateSecret(SecretName, 64) : options.SigningKey;
        Key = new SymmetricSecurityKey(Convert.FromBase64String(base64)) { KeyId = "nexus-hs256" };
    }

    public SymmetricSecurityKey Key { get; }
}
