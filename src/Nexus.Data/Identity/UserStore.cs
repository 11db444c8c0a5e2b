using Dapper;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;

namespace Nexus.Data.Identity;

/// <summary>
/// Accounts. Under <see cref="INexusDatabase.AsUserAsync{T}"/> row-level security decides what the caller sees
/// (own row; members of tenants they administer; everything for a global admin) and what they may change (the
/// role, disabled and lockout columns only by a global admin, never on their own row). Login bookkeeping runs
/// under <see cref="INexusDatabase.AsSystemAsync{T}"/>.
/// </summary>
public sealed class UserStore
{
    private const string Columns = """
        id AS Id, email AS Email, full_name AS FullName, username AS Username, company AS Company,
        global_role AS GlobalRole, disabled AS Disabled, failed_login_count AS FailedLoginCount,
        locked_until AS LockedUntil, created_at AS CreatedAt, updated_at AS UpdatedAt, token_generation AS TokenGeneration
        """;

    public async Task<UserRecord?> FindByIdAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        var row = await session.Connection.QuerySingleOrDefaultAsync<UserRow>(
            $"SELECT {Columns} FROM nexus.users WHERE id = @id", new { id }, session.Transaction);
        return row?.ToRecord();
    }

    /// <summary>Case-insensitive lookup with the password hash, for login. Worker role only.</summary>
    public async Task<UserCredentials?> FindByEmailAsync(DbSession session, string email)
    {
        ArgumentNullException.ThrowIfNull(session);
        var row = await session.Connection.QuerySingleOrDefaultAsync<UserRow>(
            $"SELECT {Columns}, password_hash AS PasswordHash FROM nexus.users WHERE lower(email) = lower(@email)",
            new { email }, session.Transaction);
        return row is null ? null : new UserCredentials(row.ToRecord(), row.PasswordHash!);
    }

    /// <summary>The password hash of one account (password change, re-authentication). Worker role only: the
    /// application role cannot read password hashes.</summary>
    public Task<string?> GetPasswordHashAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT password_hash FROM nexus.users WHERE id = @id", new { id }, session.Transaction);
    }

    /// <summary>Visible accounts ordered by address, optionally filtered by a substring of address or name.</summary>
    public async Task<IReadOnlyList<UserRecord>> ListAsync(DbSession session, string? search, int offset, int limit)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<UserRow>(
            $"""
            SELECT {Columns} FROM nexus.users
            WHERE {SearchFilter}
            ORDER BY lower(email)
            OFFSET @offset LIMIT @limit
            """,
            new { pattern = SearchPattern(search), offset, limit }, session.Transaction);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>How many accounts visible to the caller match <paramref name="search"/> (all when null), as <see cref="ListAsync"/> filters them.</summary>
    public Task<int> CountAsync(DbSession session, string? search = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.ExecuteScalarAsync<int>(
            $"SELECT count(*)::int FROM nexus.users WHERE {SearchFilter}", new { pattern = SearchPattern(search) }, session.Transaction);
    }

    private const string SearchFilter =
        "@pattern::text IS NULL OR email ILIKE @pattern OR full_name ILIKE @pattern OR username ILIKE @pattern";

    private static string? SearchPattern(string? search) =>
        string.IsNullOrWhiteSpace(search) ? null : "%" + EscapeLike(search.Trim()) + "%";

    /// <summary>Whether an enabled global admin exists (bootstrap decides whether to create one).</summary>
    public Task<bool> AnyActiveAdminAsync(DbSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM nexus.users WHERE global_role = 'admin' AND NOT disabled)",
            transaction: session.Transaction);
    }

    /// <summary>Creates an account; an address taken in any letter case raises <see cref="DuplicateException"/>.</summary>
    public async Task<UserRecord> CreateAsync(DbSession session, NewUser user)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(user);
        var id = Guid.NewGuid();
        // No RETURNING: a row written through RLS is read back in a second statement, under the select policy.
        await session.Connection.ExecuteAsync(
            """
            INSERT INTO nexus.users (id, email, password_hash, full_name, username, company, global_role)
            VALUES (@id, @Email, @PasswordHash, @FullName, @Username, @Company, @role)
            """,
            new { id, user.Email, user.PasswordHash, user.FullName, user.Username, user.Company, role = RoleNames.ToDb(user.GlobalRole) },
            session.Transaction);
        return await FindByIdAsync(session, id)
            ?? throw new InvalidOperationException("The created user is not visible to its creator.");
    }

    /// <summary>Updates profile fields; false when the row is absent or not the caller's to change.</summary>
    public async Task<bool> UpdateProfileAsync(DbSession session, Guid id, UserProfileUpdate update)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(update);
        return await session.Connection.ExecuteAsync(
            "UPDATE nexus.users SET email = @Email, full_name = @FullName, username = @Username, company = @Company WHERE id = @id",
            new { id, update.Email, update.FullName, update.Username, update.Company }, session.Transaction) == 1;
    }

    /// <summary>
    /// Raises the account's token generation, so every access token issued before is refused from now on. Worker
    /// role only. Returns the new generation, or null when the account does not exist.
    /// </summary>
    public Task<int?> RaiseTokenGenerationAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.ExecuteScalarAsync<int?>(
            "UPDATE nexus.users SET token_generation = token_generation + 1 WHERE id = @id RETURNING token_generation",
            new { id }, session.Transaction);
    }

    public async Task<bool> SetPasswordHashAsync(DbSession session, Guid id, string passwordHash)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "UPDATE nexus.users SET password_hash = @passwordHash WHERE id = @id",
            new { id, passwordHash }, session.Transaction) == 1;
    }

    /// <summary>
    /// Global admins only, never their own row (<see cref="DataAccessDeniedException"/>); demoting the last
    /// active admin raises <see cref="ConstraintViolationException"/> (<c>users_last_admin</c>).
    /// </summary>
    public async Task<bool> SetGlobalRoleAsync(DbSession session, Guid id, GlobalRole role)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "UPDATE nexus.users SET global_role = @role WHERE id = @id",
            new { id, role = RoleNames.ToDb(role) }, session.Transaction) == 1;
    }

    /// <summary>Same rules as <see cref="SetGlobalRoleAsync"/>.</summary>
    public async Task<bool> SetDisabledAsync(DbSession session, Guid id, bool disabled)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "UPDATE nexus.users SET disabled = @disabled WHERE id = @id",
            new { id, disabled }, session.Transaction) == 1;
    }

    /// <summary>
    /// Counts a failed login atomically; when the count reaches <paramref name="maxAttempts"/> the account is
    /// locked for <paramref name="lockout"/> and the count starts again. Null when the account does not exist.
    /// </summary>
    public Task<LoginFailureState?> RecordFailedLoginAsync(DbSession session, Guid id, int maxAttempts, TimeSpan lockout)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.QuerySingleOrDefaultAsync<LoginFailureState?>(
            """
            UPDATE nexus.users SET
                failed_login_count = CASE WHEN failed_login_count + 1 >= @maxAttempts THEN 0 ELSE failed_login_count + 1 END,
                locked_until = CASE WHEN failed_login_count + 1 >= @maxAttempts THEN now() + @lockout ELSE locked_until END
            WHERE id = @id
            RETURNING failed_login_count AS FailedLoginCount, locked_until AS LockedUntil
            """,
            new { id, maxAttempts, lockout }, session.Transaction);
    }

    /// <summary>After a successful login, or a global admin unlocking the account.</summary>
    public async Task<bool> ClearLockoutAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "UPDATE nexus.users SET failed_login_count = 0, locked_until = NULL WHERE id = @id AND (failed_login_count <> 0 OR locked_until IS NOT NULL)",
            new { id }, session.Transaction) == 1;
    }

    /// <summary>
    /// Deletes an account with its memberships, VM grants and refresh tokens; audit rows keep the actor's address
    /// and servers or tenants it created stay (their creator becomes unknown). Not the caller's own account.
    /// </summary>
    public async Task<bool> DeleteAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "DELETE FROM nexus.users WHERE id = @id", new { id }, session.Transaction) == 1;
    }

    /// <summary>For member management: an account by address, answered only to tenant admins and global admins.</summary>
    public Task<UserSummary?> FindForMembershipAsync(DbSession session, string email)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.QuerySingleOrDefaultAsync<UserSummary?>(
            "SELECT id AS Id, email AS Email, full_name AS FullName, username AS Username FROM nexus.find_user_for_membership(@email)",
            new { email }, session.Transaction);
    }

    internal static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private sealed class UserRow
    {
        public Guid Id { get; init; }
        public string Email { get; init; } = "";
        public string? FullName { get; init; }
        public string? Username { get; init; }
        public string? Company { get; init; }
        public string GlobalRole { get; init; } = "user";
        public bool Disabled { get; init; }
        public int FailedLoginCount { get; init; }
        public DateTime? LockedUntil { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
        public int TokenGeneration { get; init; }
        public string? PasswordHash { get; init; }

        public UserRecord ToRecord() => new(
            Id, Email, FullName, Username, Company, RoleNames.ParseGlobal(GlobalRole), Disabled, FailedLoginCount,
            LockedUntil, CreatedAt, UpdatedAt, TokenGeneration);
    }
}
