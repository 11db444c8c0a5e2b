using System.Net;
using Dapper;
using Nexus.Data.Access;

namespace Nexus.Data.Identity;

/// <summary>A stored refresh token (its hash only).</summary>
public sealed record RefreshTokenRecord(
    Guid Id,
    Guid UserId,
    Guid FamilyId,
    DateTime CreatedAt,
    DateTime ExpiresAt,
    DateTime? RevokedAt,
    Guid? ReplacedBy);

/// <summary>A token to store. <paramref name="TokenHash"/> is the SHA-256 of the token (32 bytes).</summary>
public sealed record NewRefreshToken(
    Guid UserId,
    Guid FamilyId,
    byte[] TokenHash,
    DateTime ExpiresAt,
    IPAddress? ClientIp,
    string? UserAgent);

/// <summary>
/// Rotating refresh tokens, managed by the worker role (a refresh arrives before any user is known). A signed-in
/// user may list and revoke their own through the application role.
/// </summary>
public sealed class RefreshTokenStore
{
    private const string Columns = """
        id AS Id, user_id AS UserId, family_id AS FamilyId, created_at AS CreatedAt, expires_at AS ExpiresAt,
        revoked_at AS RevokedAt, replaced_by AS ReplacedBy
        """;

    public async Task<RefreshTokenRecord> CreateAsync(DbSession session, NewRefreshToken token)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(token);
        return await session.Connection.QuerySingleAsync<RefreshTokenRecord>(
            $"""
            INSERT INTO nexus.refresh_tokens (user_id, family_id, token_hash, expires_at, client_ip, user_agent)
            VALUES (@UserId, @FamilyId, @TokenHash, @ExpiresAt, @ClientIp, @UserAgent)
            RETURNING {Columns}
            """,
            new { token.UserId, token.FamilyId, token.TokenHash, ExpiresAt = AsUtc(token.ExpiresAt), token.ClientIp, token.UserAgent },
            session.Transaction);
    }

    /// <summary>The token with this hash, locked for the rest of the transaction so two refreshes cannot both rotate it.</summary>
    public Task<RefreshTokenRecord?> FindByHashForUpdateAsync(DbSession session, byte[] tokenHash)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.QuerySingleOrDefaultAsync<RefreshTokenRecord?>(
            $"SELECT {Columns} FROM nexus.refresh_tokens WHERE token_hash = @tokenHash FOR UPDATE",
            new { tokenHash }, session.Transaction);
    }

    /// <summary>Revokes <paramref name="oldId"/> and stores its successor in the same family.</summary>
    public async Task<RefreshTokenRecord> RotateAsync(DbSession session, Guid oldId, NewRefreshToken successor)
    {
        ArgumentNullException.ThrowIfNull(session);
        var created = await CreateAsync(session, successor);
        await session.Connection.ExecuteAsync(
            "UPDATE nexus.refresh_tokens SET revoked_at = coalesce(revoked_at, now()), replaced_by = @newId WHERE id = @oldId",
            new { oldId, newId = created.Id }, session.Transaction);
        return created;
    }

    /// <summary>Revokes every live token of a family (a replaced token was presented again: theft).</summary>
    public Task<int> RevokeFamilyAsync(DbSession session, Guid familyId)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.ExecuteAsync(
            "UPDATE nexus.refresh_tokens SET revoked_at = now() WHERE family_id = @familyId AND revoked_at IS NULL",
            new { familyId }, session.Transaction);
    }

    /// <summary>Revokes every live token of a user (password change, disabled account, "sign out everywhere").</summary>
    public Task<int> RevokeAllForUserAsync(DbSession session, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.ExecuteAsync(
            "UPDATE nexus.refresh_tokens SET revoked_at = now() WHERE user_id = @userId AND revoked_at IS NULL",
            new { userId }, session.Transaction);
    }

    public async Task<IReadOnlyList<RefreshTokenRecord>> ListActiveForUserAsync(DbSession session, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<RefreshTokenRecord>(
            $"SELECT {Columns} FROM nexus.refresh_tokens WHERE user_id = @userId AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC",
            new { userId }, session.Transaction);
        return rows.ToList();
    }

    /// <summary>Deletes tokens that expired before <paramref name="cutoff"/> (worker housekeeping).</summary>
    public Task<int> DeleteExpiredAsync(DbSession session, DateTime cutoff)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.ExecuteAsync(
            "DELETE FROM nexus.refresh_tokens WHERE expires_at < @cutoff", new { cutoff = AsUtc(cutoff) }, session.Transaction);
    }

    // Npgsql writes timestamptz only from UTC DateTimes.
    internal static DateTime AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
