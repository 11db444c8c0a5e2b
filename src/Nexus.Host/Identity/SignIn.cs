using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Identity;
using Nexus.Host.Audit;
using Nexus.Host.Web;

namespace Nexus.Host.Identity;

/// <summary>The outcome of a sign-in or refresh, before it becomes an HTTP answer.</summary>
internal abstract record SignInResult
{
    public sealed record Success(UserRecord User, string RefreshToken, DateTimeOffset RefreshExpiresAt) : SignInResult;
    public sealed record InvalidCredentials : SignInResult;
    public sealed record Disabled : SignInResult;
    public sealed record LockedOut(DateTimeOffset Until) : SignInResult;
    public sealed record Refused : SignInResult;
}

/// <summary>
/// Password sign-in with lockout, and refresh-token rotation with reuse detection. Runs as the background role:
/// no user is authenticated yet, so the caller's row-level scope does not exist.
/// </summary>
internal sealed class SignIn(
    INexusDatabase database,
    UserStore users,
    RefreshTokenStore refreshTokens,
    AuditLog audit,
    AuthOptions options,
    TimeProvider time)
{
    public Task<SignInResult> PasswordAsync(string email, string password, ClientInfo client, CancellationToken ct) =>
        database.AsSystemAsync<SignInResult>(async session =>
        {
            var now = time.GetUtcNow();
            var found = await users.FindByEmailAsync(session, email);
            if (found is null)
            {
                // Same cost as a wrong password, so timing does not tell which addresses have accounts.
                PasswordRules.Verify(PasswordRules.DummyHash, password, out _);
                await WriteAsync(session, null, AuditActions.LoginFailed, email, AuditOutcome.Failure, new { reason = "unknown_account" }, client);
                return new SignInResult.InvalidCredentials();
            }
            var user = found.User;
            if (user.LockedUntil is { } lockedUntil && new DateTimeOffset(lockedUntil, TimeSpan.Zero) > now)
            {
                var until = new DateTimeOffset(lockedUntil, TimeSpan.Zero);
                await WriteAsync(session, user, AuditActions.LoginFailed, user.Email, AuditOutcome.Denied, new { reason = "locked_out", lockedUntil = until }, client);
                return new SignInResult.LockedOut(until);
            }
            if (!PasswordRules.Verify(found.PasswordHash, password, out var rehash))
            {
                var state = await users.RecordFailedLoginAsync(session, user.Id, options.LockoutThreshold, options.LockoutDuration);
                // The store restarts the count at zero exactly when this failure locked the account.
                if (state is { FailedLoginCount: 0, LockedUntil: { } lockedAt })
                {
                    var until = new DateTimeOffset(lockedAt, TimeSpan.Zero);
                    await WriteAsync(session, user, AuditActions.LockedOut, user.Email, AuditOutcome.Denied, new { threshold = options.LockoutThreshold, lockedUntil = until }, client);
                    return new SignInResult.LockedOut(until);
                }
                await WriteAsync(session, user, AuditActions.LoginFailed, user.Email, AuditOutcome.Failure, new { reason = "wrong_password" }, client);
                return new SignInResult.InvalidCredentials();
            }
            if (user.Disabled)
            {
                await WriteAsync(session, user, AuditActions.LoginFailed, user.Email, AuditOutcome.Denied, new { reason = "disabled" }, client);
                return new SignInResult.Disabled();
            }
            await users.ClearLockoutAsync(session, user.Id);
            if (rehash is not null)
            {
                await users.SetPasswordHashAsync(session, user.Id, rehash);
            }
            var started = await StartSessionAsync(session, user, client, now);
            await WriteAsync(session, user, AuditActions.LoginSucceeded, user.Email, AuditOutcome.Success, null, client);
            return started;
        }, ct);

    // A new refresh-token family: one device's session.
    private async Task<SignInResult.Success> StartSessionAsync(DbSession session, UserRecord user, ClientInfo client, DateTimeOffset now)
    {
        var (token, hash) = RefreshTokenValue.New();
        var expires = now + options.RefreshTokenLifetime;
        await refreshTokens.CreateAsync(session, new NewRefreshToken(user.Id, Guid.NewGuid(), hash, expires.UtcDateTime, client.IpAddress, client.UserAgent));
        return new SignInResult.Success(user, token, expires);
    }

    /// <summary>
    /// Exchanges a refresh token for a new one of the same family. A token that was already exchanged (or
    /// revoked) coming back means two parties hold it, so the whole family is revoked and both must sign in again.
    /// </summary>
    public Task<SignInResult> RefreshAsync(string presented, ClientInfo client, CancellationToken ct) =>
        database.AsSystemAsync<SignInResult>(async session =>
        {
            var now = time.GetUtcNow();
            // Locked for the transaction: of two refreshes with one token, the second sees it replaced.
            var current = await refreshTokens.FindByHashForUpdateAsync(session, RefreshTokenValue.HashOf(presented));
            if (current is null)
            {
                return new SignInResult.Refused();
            }
            var user = await users.FindByIdAsync(session, current.UserId);
            if (current.RevokedAt is not null || current.ReplacedBy is not null)
            {
                var revoked = await refreshTokens.RevokeFamilyAsync(session, current.FamilyId);
                if (current.ReplacedBy is not null)
                {
                    await WriteAsync(session, user, AuditActions.RefreshReused, user?.Email, AuditOutcome.Denied, new { family = current.FamilyId, revoked }, client);
                }
                return new SignInResult.Refused();
            }
            if (new DateTimeOffset(current.ExpiresAt, TimeSpan.Zero) <= now || user is null || user.Disabled)
            {
                await refreshTokens.RevokeFamilyAsync(session, current.FamilyId);
                return new SignInResult.Refused();
            }
            var (token, hash) = RefreshTokenValue.New();
            var expires = now + options.RefreshTokenLifetime;
            await refreshTokens.RotateAsync(session, current.Id, new NewRefreshToken(user.Id, current.FamilyId, hash, expires.UtcDateTime, client.IpAddress, client.UserAgent));
            return new SignInResult.Success(user, token, expires);
        }, ct);

    /// <summary>Revokes the family of the presented token (the other devices of the same user stay signed in).</summary>
    public Task SignOutAsync(string presented, ClientInfo client, CancellationToken ct) =>
        database.AsSystemAsync(async session =>
        {
            var current = await refreshTokens.FindByHashForUpdateAsync(session, RefreshTokenValue.HashOf(presented));
            if (current is not null)
            {
                await refreshTokens.RevokeFamilyAsync(session, current.FamilyId);
                var user = await users.FindByIdAsync(session, current.UserId);
                await WriteAsync(session, user, AuditActions.Logout, user?.Email, AuditOutcome.Success, null, client);
            }
            return true;
        }, ct);

    /// <summary>
    /// Changes the caller's password after checking the current one, and ends every session (whoever knew the
    /// old password may hold one), then starts a new one for the device that made the change: its browser has a
    /// valid refresh cookie at every moment, so its other tabs renew their tokens instead of being signed out.
    /// Null when the current password is wrong. Runs as the worker: the application role cannot read password hashes.
    /// </summary>
    public Task<SignInResult.Success?> ChangePasswordAsync(Guid userId, string currentPassword, string newPassword, ClientInfo client, CancellationToken ct) =>
        database.AsSystemAsync(async session =>
        {
            var user = await users.FindByIdAsync(session, userId);
            var hash = await users.GetPasswordHashAsync(session, userId);
            if (user is null || hash is null)
            {
                return null;
            }
            SignInResult.Success? started = null;
            var ok = PasswordRules.Verify(hash, currentPassword, out _);
            if (ok)
            {
                await users.SetPasswordHashAsync(session, userId, PasswordRules.Hash(newPassword));
                await EndSessionsAsync(session, userId);
                started = await StartSessionAsync(session, user, client, time.GetUtcNow());
            }
            await WriteAsync(session, user, AuditActions.PasswordChanged, user.Email, ok ? AuditOutcome.Success : AuditOutcome.Failure, null, client);
            return started;
        }, ct);

    /// <summary>Ends every session of a user (a disabled account): refresh tokens and access tokens alike.</summary>
    public Task EndAllSessionsAsync(Guid userId, CancellationToken ct) =>
        database.AsSystemAsync(session => EndSessionsAsync(session, userId), ct);

    /// <summary>
    /// "Sign out everywhere": ends every session of the caller, this one included, with an audit row. False when
    /// the account no longer exists.
    /// </summary>
    public Task<bool> SignOutEverywhereAsync(Guid userId, ClientInfo client, CancellationToken ct) =>
        database.AsSystemAsync(async session =>
        {
            var user = await users.FindByIdAsync(session, userId);
            if (user is null)
            {
                return false;
            }
            var ended = await EndSessionsAsync(session, userId);
            await WriteAsync(session, user, AuditActions.SignedOutEverywhere, user.Email, AuditOutcome.Success, new { refreshTokensRevoked = ended }, client);
            return true;
        }, ct);

    // Refresh tokens are revoked; access tokens already out are refused from their next request on, through the
    // raised token generation (CallerLoader), instead of staying valid until they expire.
    private async Task<int> EndSessionsAsync(DbSession session, Guid userId)
    {
        var revoked = await refreshTokens.RevokeAllForUserAsync(session, userId);
        await users.RaiseTokenGenerationAsync(session, userId);
        return revoked;
    }

    private Task WriteAsync(DbSession session, UserRecord? user, string action, string? targetName, AuditOutcome outcome, object? details, ClientInfo client) =>
        audit.WriteAsync(session, AuditEntries.Create(null, user?.Id, action, AuditTargets.User, user?.Id.ToString(), targetName, outcome, details, client));
}
