using System.Text.RegularExpressions;

namespace Nexus.Proxmox.Configuration;

/// <summary>
/// A Proxmox VE API token, <c>USER@REALM!TOKENID=SECRET</c>. The secret never leaves this type except as the
/// <c>Authorization</c> header value, and <see cref="ToString"/> shows only the token id.
/// </summary>
public sealed partial class ProxmoxApiToken
{
    private readonly string _secret;

    private ProxmoxApiToken(string user, string realm, string tokenName, string secret)
    {
        User = user;
        Realm = realm;
        TokenName = tokenName;
        _secret = secret;
    }

    /// <summary>The user part, e.g. <c>root</c>.</summary>
    public string User { get; }

    /// <summary>The realm, e.g. <c>pam</c> or <c>pve</c>.</summary>
    public string Realm { get; }

    /// <summary>The token's own name, e.g. <c>portal</c>.</summary>
    public string TokenName { get; }

    /// <summary><c>root@pam</c>: the user id as Proxmox writes it in task status.</summary>
    public string UserId => $"{User}@{Realm}";

    /// <summary><c>root@pam!portal</c>: the full token id (safe to show and log).</summary>
    public string TokenId => $"{User}@{Realm}!{TokenName}";

    /// <summary>The header value pveproxy expects: <c>PVEAPIToken=&lt;id&gt;=&lt;secret&gt;</c> (pve-http-server Formatter).</summary>
    internal string AuthorizationHeaderValue => $"PVEAPIToken={TokenId}={_secret}";

    /// <summary>
    /// Parses <c>USER@REALM!TOKENID=SECRET</c>. A leading <c>PVEAPIToken=</c> (as pasted from docs) is accepted.
    /// Throws <see cref="FormatException"/> whose message never contains the secret.
    /// </summary>
    public static ProxmoxApiToken Parse(string value)
    {
        if (TryParse(value, out var token, out var error))
        {
            return token;
        }
        throw new FormatException(error);
    }

    public static bool TryParse(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProxmoxApiToken? token)
        => TryParse(value, out token, out _);

    private static bool TryParse(string? value, out ProxmoxApiToken token, out string error)
    {
        token = null!;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "The API token is empty; expected USER@REALM!TOKENID=SECRET.";
            return false;
        }
        var text = value.Trim();
        if (text.StartsWith("PVEAPIToken=", StringComparison.OrdinalIgnoreCase))
        {
            text = text["PVEAPIToken=".Length..];
        }
        // A PBS-style token uses ':' between id and secret; say so instead of a generic failure.
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            error = text.Contains(':', StringComparison.Ordinal) && text.Contains('!', StringComparison.Ordinal)
                ? "The API token separates id and secret with ':' (Proxmox Backup Server style); Proxmox VE expects USER@REALM!TOKENID=SECRET."
                : "The API token has no '=SECRET' part; expected USER@REALM!TOKENID=SECRET.";
            return false;
        }
        var id = text[..equals];
        var secret = text[(equals + 1)..];
        var match = TokenIdPattern().Match(id);
        if (!match.Success)
        {
            error = $"The API token id '{Describe(id)}' is not of the form USER@REALM!TOKENID.";
            return false;
        }
        if (secret.Length == 0 || secret.Any(char.IsWhiteSpace))
        {
            error = $"The API token secret for '{id}' is empty or contains whitespace.";
            return false;
        }
        token = new ProxmoxApiToken(match.Groups["user"].Value, match.Groups["realm"].Value, match.Groups["token"].Value, secret);
        error = string.Empty;
        return true;
    }

    private static string Describe(string id) => id.Length > 80 ? id[..80] + "…" : id;

    /// <summary>Shows the token id only; the secret is masked.</summary>
    public override string ToString() => $"{TokenId}=***";

    // User: pve-access-control's verify_username allows anything but whitespace, ':', '@', '/' and '!'.
    // Realm and token name: pve-common's configid/'pve-tokenid' formats ([A-Za-z][A-Za-z0-9._-]*).
    [GeneratedRegex(@"^(?<user>[^\s:@/!]+)@(?<realm>[A-Za-z][A-Za-z0-9._-]*)!(?<token>[A-Za-z][A-Za-z0-9._-]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenIdPattern();
}
