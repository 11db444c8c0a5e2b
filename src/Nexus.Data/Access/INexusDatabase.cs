using Npgsql;

namespace Nexus.Data.Access;

/// <summary>
/// One unit of work on the system of record: a connection and its open transaction, already scoped.
/// Queries run through Dapper on <see cref="Connection"/> with <see cref="Transaction"/>.
/// </summary>
public sealed class DbSession(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid? userId)
{
    public NpgsqlConnection Connection { get; } = connection;
    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>The authenticated caller the transaction is scoped to; <c>null</c> for background work.</summary>
    public Guid? UserId { get; } = userId;
}

/// <summary>
/// The only way application code reaches PostgreSQL. Authorization is enforced twice: by the application's
/// policy and by row-level security, so each unit of work runs in its own transaction under a role and scope:
/// <list type="bullet">
/// <item><see cref="AsUserAsync{T}"/>: the web application's role (no BYPASSRLS) with the caller's id set by
/// <c>SET LOCAL</c> (<c>set_config('nexus.user_id', …, true)</c>) — only our code sets it, after authentication.</item>
/// <item><see cref="AsSystemAsync{T}"/>: the background role, for work no user performs (polling, cleanup,
/// login before a user is known). It is not the migration owner.</item>
/// </list>
/// The transaction commits when <c>work</c> returns and rolls back when it throws.
/// </summary>
public interface INexusDatabase
{
    Task<T> AsUserAsync<T>(Guid userId, Func<DbSession, Task<T>> work, CancellationToken ct);

    Task<T> AsSystemAsync<T>(Func<DbSession, Task<T>> work, CancellationToken ct);
}
