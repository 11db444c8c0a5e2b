using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Nexus.Simulator.Consoles.Tickets;

/// <summary>A minted ticket and the password QEMU will demand for it.</summary>
internal sealed record VncTicket(string Ticket, string VncPassword);

/// <summary>
/// Mints and verifies PVEVNC tickets the way pve-access-control does, with an HMAC instead of the cluster's
/// RSA key: <c>PVEVNC:&lt;%08X time&gt;::&lt;base64 sig&gt;</c>, signature over the plain part plus
/// <c>&lt;authid&gt;:/vms/&lt;vmid&gt;[:&lt;port&gt;]</c>.
/// </summary>
internal sealed class VncTicketAuthority(byte[] secret, TimeProvider clock, bool legacyStyle)
{
    private const string Prefix = "PVEVNC";

    // verify_rsa_ticket: ($age > -20) && ($age < 40).
    private const int MinAgeSeconds = -20;
    private const int MaxAgeSeconds = 40;

    public bool LegacyStyle => legacyStyle;

    public VncTicket Mint(string principal, int vmid, int port)
    {
        var time = clock.GetUtcNow().ToUnixTimeSeconds();
        var plain = $"{Prefix}:{time:X8}";
        var bare = $"{plain}::{Sign(plain, SecretData(principal, vmid, port))}";
        if (legacyStyle)
        {
            // Pre-9.1.7: QEMU's password was set to the ticket and QEMU keeps only 8 characters.
            return new VncTicket(bare, bare[..8]);
        }

        var password = NewPassword();
        return new VncTicket($"{password}:{bare}", password);
    }

    public bool Verify(string ticket, string principal, int vmid, int port)
    {
        // 9.1.7 verify_vnc_ticket strips a fixed 8-character prefix: the password may itself contain ':'.
        if (!ticket.StartsWith(Prefix + ":", StringComparison.Ordinal) && ticket.Length > 9 && ticket[8] == ':')
            ticket = ticket[9..];

        var separator = ticket.IndexOf("::", StringComparison.Ordinal);
        if (separator < 0)
            return false;
        var plain = ticket[..separator];
        var signature = ticket[(separator + 2)..];
        if (!plain.StartsWith(Prefix + ":", StringComparison.Ordinal) || plain.Length != Prefix.Length + 9
            || !long.TryParse(plain.AsSpan(Prefix.Length + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var time))
            return false;

        var expected = Encoding.ASCII.GetBytes(Sign(plain, SecretData(principal, vmid, port)));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)))
            return false;

        var age = clock.GetUtcNow().ToUnixTimeSeconds() - time;
        return age > MinAgeSeconds && age < MaxAgeSeconds;
    }

    // The port joined the signed data in 9.1.7, together with the password prefix.
    private string SecretData(string principal, int vmid, int port) =>
        legacyStyle ? $"{principal}:/vms/{vmid}" : $"{principal}:/vms/{vmid}:{port}";

    private string Sign(string plain, string secretData)
    {
        var mac = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{plain}:{secretData}"));
        return Convert.ToBase64String(mac);
    }

    /// <summary>8 characters in 0x21–0x60, as qemu-server generates them.</summary>
    private static string NewPassword()
    {
        Span<char> chars = stackalloc char[8];
        for (var i = 0; i < chars.Length; i++)
            chars[i] = (char)RandomNumberGenerator.GetInt32(0x21, 0x61);
        return new string(chars);
    }
}
