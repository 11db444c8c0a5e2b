using System.ComponentModel.DataAnnotations;

namespace Nexus.Host.Identity;

/// <summary>Authentication settings, section <c>Nexus:Auth</c>. Every value has a default that works for the default run.</summary>
internal sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Nexus:Auth";

    /// <summary>
    /// Base64 HMAC-SHA256 key for access tokens, at least 32 bytes. Unset: generated once and kept in the data
    /// folder. Several silos must share one, so deployments set it.
    /// </summary>
    public string? SigningKey { get; set; }

    [Required]
    public string Issuer { get; set; } = "nexus";

    [Required]
    public string Audience { get; set; } = "nexus";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:05:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Consecutive failed sign-ins that lock an account.</summary>
    [Range(1, 100)]
    public int LockoutThreshold { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-in and refresh attempts per client address per <see cref="ThrottleWindow"/>.</summary>
    [Range(1, 100_000)]
    public int PerIpPermitLimit { get; set; } = 30;

    /// <summary>Sign-in attempts per account (email) per <see cref="ThrottleWindow"/>, whoever sends them.</summary>
    [Range(1, 100_000)]
    public int PerAccountPermitLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>First run only (no users yet): the bootstrap admin. Unset: generated and printed once.</summary>
    [EmailAddress]
    public string? BootstrapAdminEmail { get; set; }

    public string? BootstrapAdminPassword { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(SigningKey))
        {
            byte[]? key = null;
            try
            {
                key = Convert.FromBase64String(SigningKey);
            }
            catch (FormatException)
            {
            }
            if (key is null || key.Length < 32)
            {
                yield return new ValidationResult("must be base64 of at least 32 bytes", [nameof(SigningKey)]);
            }
        }
        if (BootstrapAdminPassword is { } password && PasswordRules.Check(password) is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(BootstrapAdminPassword)]);
        }
        if (!string.IsNullOrEmpty(BootstrapAdminPassword) && string.IsNullOrEmpty(BootstrapAdminEmail))
        {
            yield return new ValidationResult("a bootstrap password needs BootstrapAdminEmail", [nameof(BootstrapAdminEmail)]);
        }
    }
}
