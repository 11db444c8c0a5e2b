using System.Text.RegularExpressions;

namespace Nexus.Data.Secrets;

/// <summary>The credential keys by id, and the active one. Built once at start-up from validated options.</summary>
public sealed partial class CredentialKeyRing
{
    public const int KeyBytes = 32;

    /// <summary>The id of the key a default run generates into its data folder.</summary>
    public const string GeneratedKeyId = "local";

    private readonly Dictionary<string, byte[]> _keys;

    private CredentialKeyRing(Dictionary<string, byte[]> keys, string activeKeyId)
    {
        _keys = keys;
        ActiveKeyId = activeKeyId;
    }

    public string ActiveKeyId { get; }

    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    internal byte[] ActiveKey => _keys[ActiveKeyId];

    internal bool TryGetKey(string keyId, out byte[] key) => _keys.TryGetValue(keyId, out key!);

    /// <summary>
    /// The ring the options describe, or, when they name no key, one key from <paramref name="generatedKey"/>
    /// (base64, created on first use). A bad setting throws <see cref="NexusStartupException"/> with a one-line
    /// message naming it.
    /// </summary>
    public static CredentialKeyRing Create(CredentialOptions options, Func<string> generatedKey)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generatedKey);
        const string keysSetting = CredentialOptions.Section + ":Keys";
        const string activeSetting = CredentialOptions.Section + ":ActiveKeyId";
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (options.Keys.Count == 0)
        {
            if (!string.IsNullOrEmpty(options.ActiveKeyId) && options.ActiveKeyId != GeneratedKeyId)
            {
                throw new NexusStartupException($"{activeSetting}: '{options.ActiveKeyId}' is not a key of {keysSetting} (none are configured)");
            }
            keys[GeneratedKeyId] = Decode(generatedKey(), $"the generated key '{GeneratedKeyId}' in the data folder");
            return new CredentialKeyRing(keys, GeneratedKeyId);
        }
        foreach (var (id, value) in options.Keys)
        {
            if (!KeyIdPattern().IsMatch(id))
            {
                throw new NexusStartupException($"{keysSetting}: key id '{id}' must be 1–64 of A–Z a–z 0–9 . _ -");
            }
            keys[id] = Decode(value, $"{keysSetting}:{id}");
        }
        string active;
        if (string.IsNullOrEmpty(options.ActiveKeyId))
        {
            if (keys.Count > 1)
            {
                throw new NexusStartupException($"{activeSetting}: required when {keysSetting} holds more than one key");
            }
            active = keys.Keys.Single();
        }
        else if (!keys.ContainsKey(options.ActiveKeyId))
        {
            throw new NexusStartupException($"{activeSetting}: '{options.ActiveKeyId}' is not a key of {keysSetting}");
        }
        else
        {
            active = options.ActiveKeyId;
        }
        return new CredentialKeyRing(keys, active);
    }

    private static byte[] Decode(string? base64, string setting)
    {
        byte[]? key = null;
        try
        {
            key = Convert.FromBase64String(base64?.Trim() ?? "");
        }
        catch (FormatException)
        {
        }
        if (key is null || key.Length != KeyBytes)
        {
            throw new NexusStartupException($"{setting}: must be base64 of exactly {KeyBytes} bytes (e.g. openssl rand -base64 32)");
        }
        return key;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyIdPattern();
}
