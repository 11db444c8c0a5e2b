using Dapper;
using Nexus.Data.Access;
using Nexus.Data.Identity;

namespace Nexus.Host.Users;

/// <summary>
/// Queries the users page needs that <see cref="UserStore"/> does not have yet. To move into
/// <c>Nexus.Data.Identity.UserStore</c> (same filter as its <c>ListAsync</c>).
/// </summary>
internal static class UserQueries
{
    /// <summary>How many accounts visible to the caller match <paramref name="search"/> (address, name or username).</summary>
    public static Task<int> CountAsync(DbSession session, string? search)
    {
        var pattern = string.IsNullOrWhiteSpace(search) ? null : "%" + UserStore.EscapeLike(search.Trim()) + "%";
        return session.Connection.ExecuteScalarAsync<int>(
            """
            SELECT count(*)::int FROM nexus.users
            WHERE @pattern::text IS NULL OR email ILIKE @pattern OR full_name ILIKE @pattern OR username ILIKE @pattern
            """,
            new { pattern }, session.Transaction);
    }
}
