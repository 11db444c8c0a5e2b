using System.Text.RegularExpressions;
using Nexus.Host.Web;

namespace Nexus.Host.Identity;

/// <summary>
/// A profile edit. For each field: absent (null) leaves it as it is, blank clears it, anything else sets it
/// (the prototype's rule: "blank values become null").
/// </summary>
internal sealed record ProfilePatch(string? FullName, string? Username, string? Company);

/// <summary>The prototype's profile limits (seed F6): name ≤ 100, username <c>^[a-zA-Z0-9_]+$</c> ≤ 50, company ≤ 100.</summary>
internal static partial class ProfileFields
{
    public const int MaxFullName = 100;
    public const int MaxUsername = 50;
    public const int MaxCompany = 100;

    [GeneratedRegex("^[a-zA-Z0-9_]+$")]
    private static partial Regex UsernamePattern();

    public static void Validate(ProfilePatch patch, FieldErrors errors)
    {
        errors.MaxLength(patch.FullName?.Trim(), MaxFullName, "fullName");
        errors.MaxLength(patch.Company?.Trim(), MaxCompany, "company");
        if (patch.Username is { } username && !string.IsNullOrWhiteSpace(username))
        {
            errors.MaxLength(username.Trim(), MaxUsername, "username");
            errors.Check(UsernamePattern().IsMatch(username.Trim()), "username", "Letters, digits and underscores only.");
        }
    }

    /// <summary>The value to store: the current one when absent, null when blank, else trimmed.</summary>
    public static string? Apply(string? patch, string? current) =>
        patch is null ? current : string.IsNullOrWhiteSpace(patch) ? null : patch.Trim();

    public static void ValidateEmail(string? email, FieldErrors errors)
    {
        if (!errors.Check(!string.IsNullOrWhiteSpace(email), "email", "An email address is required."))
        {
            return;
        }
        var trimmed = email!.Trim();
        errors.MaxLength(trimmed, 320, "email");
        errors.Check(System.Net.Mail.MailAddress.TryCreate(trimmed, out var parsed) && parsed.Address == trimmed, "email", "Not a valid email address.");
    }
}
