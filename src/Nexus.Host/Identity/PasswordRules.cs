using Microsoft.AspNetCore.Identity;

namespace Nexus.Host.Identity;

/// <summary>Password policy and hashing (ASP.NET Core Identity's PBKDF2 hasher: adaptive, versioned, rehash-aware).</summary>
internal static class PasswordRules
{
    public const int MinLength = 8;
    public const int MaxLength = 256;

    // The hasher reads nothing from the user object; one shared marker type keeps the API honest.
    private static readonly PasswordHasher<PasswordOwner> Hasher = new();

    /// <summary>Null when acceptable, else why not.</summary>
    public static string? Check(string? password) => password switch
    {
        null or "" => "A password is required.",
        { Length: < MinLength } => $"At least {MinLength} characters.",
        { Length: > MaxLength } => $"At most {MaxLength} characters.",
        _ when string.IsNullOrWhiteSpace(password) => "A password cannot be only spaces.",
        _ => null,
    };

    public static string Hash(string password) => Hasher.HashPassword(PasswordOwner.Instance, password);

    /// <summary>Verifies; <paramref name="rehash"/> is a new hash when the stored one uses outdated parameters.</summary>
    public static bool Verify(string hash, string password, out string? rehash)
    {
        rehash = null;
        var result = Hasher.VerifyHashedPassword(PasswordOwner.Instance, hash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            rehash = Hash(password);
        }
        return result != PasswordVerificationResult.Failed;
    }

    /// <summary>
    /// A fixed hash to verify against when the email is unknown, so that an unknown account costs the same time
    /// as a wrong password and response timing does not reveal which emails exist.
    /// </summary>
    public static readonly string DummyHash = Hash(Guid.NewGuid().ToString("N"));

    internal sealed class PasswordOwner
    {
        public static readonly PasswordOwner Instance = new();
    }
}
