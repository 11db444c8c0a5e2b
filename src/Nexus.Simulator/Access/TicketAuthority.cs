using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Nexus.Simulator.Tls;

namespace Nexus.Simulator.Access;

/// <summary>
/// Login tickets and CSRF tokens in pve-common Ticket.pm's formats:
/// <c>PVE:&lt;userid&gt;:&lt;8 hex time&gt;::&lt;base64 RSA signature&gt;</c> and
/// <c>&lt;8 hex time&gt;:&lt;base64 HMAC-SHA256 without padding&gt;</c>; both valid from −300 s to +7200 s.
/// </summary>
internal sealed partial class TicketAuthority(int keyIndex, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(2);
    private const int MinAgeSeconds = -300;

    private readonly byte[] _csrfSecret = RandomNumberGenerator.GetBytes(32);

    public string IssueTicket(string userId)
    {
        var data = $"PVE:{userId.Replace(":", "%3A", StringComparison.Ordinal)}:{Now():X8}";
        var signature = RsaKeyPool.Get(keyIndex).SignData(
            Encoding.UTF8.GetBytes(data), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{data}::{Convert.ToBase64String(signature)}";
    }

    /// <summary>The user id the ticket was issued to, or null when it is malformed, forged or outside its window.</summary>
    public string? VerifyTicket(string ticket)
    {
        var match = TicketPattern().Match(ticket);
        if (!match.Success)
        {
            return null;
        }
        var data = $"PVE:{match.Groups["user"].Value}:{match.Groups["time"].Value}";
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(match.Groups["sig"].Value);
        }
        catch (FormatException)
        {
            return null;
        }
        if (!RsaKeyPool.Get(keyIndex).VerifyData(
                Encoding.UTF8.GetBytes(data), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return null;
        }
        return InWindow(match.Groups["time"].Value) ? Uri.UnescapeDataString(match.Groups["user"].Value) : null;
    }

    public string IssueCsrfToken(string userId)
    {
        var time = Now().ToString("X8", CultureInfo.InvariantCulture);
        return $"{time}:{CsrfDigest(time, userId)}";
    }

    public bool VerifyCsrfToken(string? token, string userId)
    {
        if (token is null)
        {
            return false;
        }
        var match = CsrfPattern().Match(token);
        if (!match.Success || !InWindow(match.Groups["time"].Value))
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(CsrfDigest(match.Groups["time"].Value, userId));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(match.Groups["sig"].Value));
    }

    private string CsrfDigest(string time, string userId) =>
        Convert.ToBase64String(HMACSHA256.HashData(_csrfSecret, Encoding.UTF8.GetBytes($"{time}:{userId}")))
            .TrimEnd('=');

    private bool InWindow(string hexTime)
    {
        var issued = long.Parse(hexTime, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var age = Now() - issued;
        return age >= MinAgeSeconds && age <= (long)MaxAge.TotalSeconds;
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeSeconds();

    [GeneratedRegex(@"^PVE:(?<user>[^:\s]+):(?<time>[0-9A-F]{8})::(?<sig>\S+)$")]
    private static partial Regex TicketPattern();

    [GeneratedRegex(@"^(?<time>[0-9A-F]{8}):(?<sig>\S+)$")]
    private static partial Regex CsrfPattern();
}
