using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Nexus.Host.Consoles;

/// <summary>
/// The one-time connect token: 32 random bytes (256 bits) as base64url, stored only as its SHA-256 in the session's
/// grain. Browsers cannot put headers on a WebSocket and a URL ends up in logs and histories, so the token travels as
/// a WebSocket subprotocol: the client offers <c>nexus.console</c> (which the server echoes; Chrome fails a handshake
/// whose offered subprotocols get no answer) and <c>nexus.console.&lt;token&gt;</c> (never echoed, never logged).
/// </summary>
internal static class ConsoleTokens
{
    /// <summary>The subprotocol the server echoes.</summary>
    public const string Protocol = "nexus.console";

    /// <summary>The prefix of the subprotocol entry that carries the token.</summary>
    public const string TokenPrefix = Protocol + ".";

    private const int TokenBytes = 32;

    public static (string Token, byte[] Hash) Create()
    {
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(TokenBytes));
        return (token, Hash(token));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    /// <summary>The token among the offered subprotocols, or null.</summary>
    public static string? FromSubProtocols(IList<string> offered)
    {
        foreach (var protocol in offered)
        {
            if (protocol.StartsWith(TokenPrefix, StringComparison.Ordinal) && protocol.Length > TokenPrefix.Length)
            {
                return protocol[TokenPrefix.Length..];
            }
        }
        return null;
    }

    /// <summary>What to echo: <c>nexus.console</c> if offered, else <c>binary</c> (noVNC's default) if offered, else none.</summary>
    public static string? EchoedSubProtocol(IList<string> offered) =>
        offered.Contains(Protocol) ? Protocol : offered.Contains("binary") ? "binary" : null;
}
