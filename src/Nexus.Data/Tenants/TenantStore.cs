using Dapper;
using Nexus.Data.Access;

namespace Nexus.Data.Tenants;

public sealed record TenantRecord(
    Guid Id,
    string Name,
    string Slug,
    string? Description,
    bool IsActive,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    Guid? CreatedBy);

public sealed record NewTenant(string Name, string Slug, string? Description, bool IsActive = true);

public sealed record TenantUpdate(string Name, string Slug, string? Description, bool IsActive);

/// <summary>
/// Tenants. A member sees their tenants, a global admin all of them (inactive ones included); only global
/// admins create, change and delete. A duplicate slug raises <see cref="DuplicateException"/>.
/// </summary>
public sealed class TenantStore
{
    private const string Columns = """
        id AS Id, name AS Name, slug AS Slug, description AS Description, is_active AS IsActive,
        created_at AS CreatedAt, updated_at AS UpdatedAt, created_by AS CreatedBy
        """;

    /// <summary>The tenants visible to the caller, by name.</summary>
    public async Task<IReadOnlyList<TenantRecord>> ListAsync(DbSession session, bool includeInactive = true)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<TenantRecord>(
            $"SELECT {Columns} FROM nexus.tenants WHERE @includeInactive OR is_active ORDER BY lower(name), id",
            new { includeInactive }, session.Transaction);
        return rows.ToList();
    }

    /// <summary>
    /// The tenants a user may be watching live: every tenant when <paramref name="everyTenant"/> (a global admin
    /// sees them all), otherwise those they are a member of or hold a VM grant in.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ListIdsReachableByAsync(DbSession session, Guid userId, bool everyTenant)
    {
        ArgumentNullException.ThrowIfNull(session);
        var ids = await session.Connection.QueryAsync<Guid>(
            everyTenant
                ? "SELECT id FROM nexus.tenants"
                : """
                  SELECT tenant_id FROM nexus.tenant_memberships WHERE user_id = @userId
                  UNION SELECT tenant_id FROM nexus.vm_grants WHERE user_id = @userId
                  """,
            new { userId }, session.Transaction);
        return ids.ToList();
    }

    public Task<TenantRecord?> FindAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.QuerySingleOrDefaultAsync<TenantRecord?>(
            $"SELECT {Columns} FROM nexus.tenants WHERE id = @id", new { id }, session.Transaction);
    }

    public Task<TenantRecord?> FindBySlugAsync(DbSession session, string slug)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.QuerySingleOrDefaultAsync<TenantRecord?>(
            $"SELECT {Columns} FROM nexus.tenants WHERE slug = @slug", new { slug }, session.Transaction);
    }

    public async Task<TenantRecord> CreateAsync(DbSession session, NewTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(tenant);
        var id = Guid.NewGuid();
        await session.Connection.ExecuteAsync(
            "INSERT INTO nexus.tenants (id, name, slug, description, is_active) VALUES (@id, @Name, @Slug, @Description, @IsActive)",
            new { id, tenant.Name, tenant.Slug, tenant.Description, tenant.IsActive }, session.Transaction);
        return await FindAsync(session, id) ?? throw new InvalidOperationException("The created tenant is not visible to its creator.");
    }

    /// <summary>False when the tenant is absent or not the caller's to change.</summary>
    public async Task<bool> UpdateAsync(DbSession session, Guid id, TenantUpdate update)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(update);
        return await session.Connection.ExecuteAsync(
            "UPDATE nexus.tenants SET name = @Name, slug = @Slug, description = @Description, is_active = @IsActive WHERE id = @id",
            new { id, update.Name, update.Slug, update.Description, update.IsActive }, session.Transaction) == 1;
    }

    /// <summary>
    /// Deletes the tenant with its memberships, servers (and their VM grants), settings and logo. Its audit rows
    /// stay, detached (tenant becomes NULL), so the history of what happened survives the tenant.
    /// </summary>
    public async Task<bool> DeleteAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "DELETE FROM nexus.tenants WHERE id = @id", new { id }, session.Transaction) == 1;
    }
}
