using Npgsql;

namespace Nexus.Data;

/// <summary>A unique constraint refused the write (an address, slug or grant that already exists). Maps to 409.</summary>
public sealed class DuplicateException(string constraint, Exception inner)
    : Exception($"The value already exists ({constraint}).", inner)
{
    /// <summary>The violated constraint or index, e.g. <c>users_email_key</c>.</summary>
    public string Constraint { get; } = constraint;
}

/// <summary>A foreign key refused the write: the row it points at does not exist (or is not the caller's to use).</summary>
public sealed class ReferenceException(string constraint, Exception inner)
    : Exception($"A referenced row does not exist ({constraint}).", inner)
{
    public string Constraint { get; } = constraint;
}

/// <summary>
/// A CHECK constraint (a range, a format, the last-admin rule) refused the write. The application validates
/// first; this is the database's second line.
/// </summary>
public sealed class ConstraintViolationException(string constraint, Exception inner)
    : Exception($"The value is not allowed ({constraint}).", inner)
{
    public string Constraint { get; } = constraint;
}

/// <summary>
/// Row-level security or a grant refused the write (the new row is not the caller's to write). Reads never
/// raise it: rows the caller may not see are simply absent.
/// </summary>
public sealed class DataAccessDeniedException(Exception inner)
    : Exception("The database refused the write for this caller.", inner);

internal static class DataErrors
{
    /// <summary>The typed exception for a PostgreSQL error the application handles, or null to let it through.</summary>
    public static Exception? Translate(PostgresException ex) => ex.SqlState switch
    {
        PostgresErrorCodes.UniqueViolation => new DuplicateException(ex.ConstraintName ?? "unique", ex),
        PostgresErrorCodes.ForeignKeyViolation => new ReferenceException(ex.ConstraintName ?? "foreign key", ex),
        PostgresErrorCodes.CheckViolation or PostgresErrorCodes.NotNullViolation =>
            new ConstraintViolationException(ex.ConstraintName ?? ex.ColumnName ?? "check", ex),
        PostgresErrorCodes.InsufficientPrivilege => new DataAccessDeniedException(ex),
        _ => null,
    };
}
