using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Nexus.Host.Identity;

/// <summary>Issues the short-lived JWT access tokens. They carry only who the caller is; what they may do is read per request.</summary>
internal sealed class AccessTokens(AuthOptions options, SigningKey key, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>
    /// Claim with the account's token generation at issue time. A token of an older generation is refused
    /// (<see cref="CallerLoader"/>): changing the password or signing out everywhere raises it.
    /// </summary>
    public const string GenerationClaim = "nexus_gen";

    public (string Token, DateTimeOffset ExpiresAt) Issue(Guid userId, int tokenGeneration) =>
        Issue(userId, options.Audience, options.AccessTokenLifetime, tokenGeneration);

    /// <summary>The generation a validated API token was issued in (0 for one without the claim).</summary>
    public static int GenerationOf(ClaimsPrincipal? principal) =>
        int.TryParse(principal?.FindFirst(GenerationClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            ? generation
            : 0;

    /// <summary>
    /// A token naming <paramref name="userId"/> for another <paramref name="audience"/> (the Orleans Dashboard's
    /// session): signed with the same key, so every silo accepts it, but never valid where an API token is.
    /// </summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(Guid userId, string audience, TimeSpan lifetime, int? tokenGeneration = null)
    {
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Subject = new ClaimsIdentity(Claims(userId, tokenGeneration)),
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    private static IEnumerable<Claim> Claims(Guid userId, int? tokenGeneration)
    {
        yield return new Claim(JwtRegisteredClaimNames.Sub, userId.ToString());
        yield return new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N"));
        if (tokenGeneration is { } generation)
        {
            yield return new Claim(GenerationClaim, generation.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer32);
        }
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        IssuerSigningKey = key.Key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = JwtRegisteredClaimNames.Sub,
    };
}
