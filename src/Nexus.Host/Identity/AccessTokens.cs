using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Nexus.Host.Identity;

/// <summary>Issues the short-lived JWT access tokens. They carry only who the caller is; what they may do is read per request.</summary>
internal sealed class AccessTokens(AuthOptions options, SigningKey key, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, DateTimeOffset ExpiresAt) Issue(Guid userId) => Issue(userId, options.Audience, options.AccessTokenLifetime);

    /// <summary>
    /// A token naming <paramref name="userId"/> for another <paramref name="audience"/> (the Orleans Dashboard's
    /// session): signed with the same key, so every silo accepts it, but never valid where an API token is.
    /// </summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(Guid userId, string audience, TimeSpan lifetime)
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
            Subject = new ClaimsIdentity([
                new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
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
