namespace Nexus.Data.Secrets;

/// <summary>
/// Section <c>Nexus:Credentials</c>: the keys that encrypt stored credentials (Proxmox API tokens).
/// <c>Keys</c> maps a key id to a base64 32-byte AES key; <c>ActiveKeyId</c> names the one new secrets are
/// encrypted with (optional when there is one key). With no keys configured, a default run generates one in
/// its data folder. To rotate: add a new key, make it active, run <c>rotate-keys</c>, then remove the old one.
/// </summary>
public sealed class CredentialOptions
{
    public const string Section = "Nexus:Credentials";

    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    public string? ActiveKeyId { get; set; }
}
