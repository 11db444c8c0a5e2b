using System.Data;
using System.Globalization;
using Npgsql;

namespace Nexus.Data.Access;

/// <summary>
/// <see cref="INexusDatabase"/> over two pools, one per role: requests run as <c>nexus_app</c> scoped to the
/// caller, background work as <c>nexus_worker</c>. Database errors the application handles surface as
/// <see cref="DuplicateException"/>, <see cref="ReferenceException"/>, <see cref="ConstraintViolationException"/>
/// and <see cref="DataAccessDeniedException"/>.
/// </summary>
public sealed class NexusDatabase : INexusDatabase, IAsyncDisposable
{
    private readonly NpgsqlDataSource app;
    private readonly NpgsqlDataSource worker;

    static NexusDatabase() => DapperSetup.EnsureRegistered();

    public NexusDatabase(NexusDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        app = NpgsqlDataSource.Create(options.AppConnectionString!);
        worker = NpgsqlDataSource.Create(options.WorkerConnectionString!);
    }

    public Task<T> AsUserAsync<T>(Guid userId, Func<DbSession, Task<T>> work, CancellationToken ct)
    {
        if (userId == Guid.Empty)
        {
            throw new ArgumentException("A request is scoped to an authenticated user.", nameof(userId));
        }

        return RunAsync(app, userId, work, ct);
    }

    public Task<T> AsSystemAsync<T>(Func<DbSession, Task<T>> work, CancellationToken ct) => RunAsync(worker, null, work, ct);

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        await worker.DisposeAsync();
    }

    private static async Task<T> RunAsync<T>(NpgsqlDataSource source, Guid? userId, Func<DbSession, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            await using var connection = await source.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            if (userId is { } id)
            {
                // Transaction-local (is_local = true): the scope ends with the transaction, so a pooled connection
                // never carries one caller's id into the next request.
                await using var scope = new NpgsqlCommand("SELECT set_config('nexus.user_id', @id, true)", connection, transaction);
                scope.Parameters.AddWithValue("id", id.ToString("D", CultureInfo.InvariantCulture));
                await scope.ExecuteNonQueryAsync(ct);
            }

            var result = await work(new DbSession(connection, transaction, userId));
            await transaction.CommitAsync(ct);
            return result;
        }
        catch (PostgresException ex) when (DataErrors.Translate(ex) is { } typed)
        {
            throw typed;
        }
    }
}
