using Dapper;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Identity;

namespace Nexus.Data.Tenants;

/// <summary>A member of a tenant with the account fields member management shows.</summary>
public sealed record TenantMember(
    Guid TenantId,
    Guid UserId,
    string Email,
    string? FullName,
    string? Username,
    TenantRole Role,
    bool Disabled,
    DateTime CreatedAt);

/// <summary>One of the caller's tenants with their role in it.</summary>
public sealed record UserTenantMembership(Guid TenantId, string TenantName, string TenantSlug, bool TenantIsActive, TenantRole Role);

/// <summary>
/// Tenant memberships. Everyone reads their own; a tenant's admins (and global admins) read and change that
/// tenant's. Nobody else sees who is in a tenant, and nobody changes a membership of a tenant they do not
/// administer — in particular their own role.
/// </summary>
public sealed class MembershipStore
{
    /// <summary>The tenant's members (empty for a caller who may not see them).</summary>
    public async Task<IReadOnlyList<TenantMember>> ListMembersAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<MemberRow>(
            """
            SELECT m.tenant_id AS TenantId, m.user_id AS UserId, u.email AS Email, u.full_name AS FullName,
                   u.username AS Username, m.role AS Role, u.disabled AS Disabled, m.created_at AS CreatedAt
            FROM nexus.tenant_memberships m JOIN nexus.users u ON u.id = m.user_id
            WHERE m.tenant_id = @tenantId
            ORDER BY lower(u.email)
            """,
            new { tenantId }, session.Transaction);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>The tenants a user belongs to, with their role.</summary>
    public async Task<IReadOnlyList<UserTenantMembership>> ListForUserAsync(DbSession session, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<UserTenantRow>(
            """
            SELECT t.id AS TenantId, t.name AS TenantName, t.slug AS TenantSlug, t.is_active AS TenantIsActive, m.role AS Role
            FROM nexus.tenant_memberships m JOIN nexus.tenants t ON t.id = m.tenant_id
            WHERE m.user_id = @userId
            ORDER BY lower(t.name)
            """,
            new { userId }, session.Transaction);
        return rows.Select(r => new UserTenantMembership(r.TenantId, r.TenantName, r.TenantSlug, r.TenantIsActive, RoleNames.ParseTenant(r.Role))).ToList();
    }

    /// <summary>The user's role in the tenant, or null when they are not a member (or the caller may not know).</summary>
    public async Task<TenantRole?> GetRoleAsync(DbSession session, Guid tenantId, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var role = await session.Connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT role FROM nexus.tenant_memberships WHERE tenant_id = @tenantId AND user_id = @userId",
            new { tenantId, userId }, session.Transaction);
        return role is null ? null : RoleNames.ParseTenant(role);
    }

    /// <summary>Adds a member; an existing membership raises <see cref="DuplicateException"/>.</summary>
    public async Task AddAsync(DbSession session, Guid tenantId, Guid userId, TenantRole role)
    {
        ArgumentNullException.ThrowIfNull(session);
        await session.Connection.ExecuteAsync(
            "INSERT INTO nexus.tenant_memberships (tenant_id, user_id, role) VALUES (@tenantId, @userId, @role)",
            new { tenantId, userId, role = RoleNames.ToDb(role) }, session.Transaction);
    }

    /// <summary>False when there is no such membership the caller may change.</summary>
    public async Task<bool> ChangeRoleAsync(DbSession session, Guid tenantId, Guid userId, TenantRole role)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "UPDATE nexus.tenant_memberships SET role = @role WHERE tenant_id = @tenantId AND user_id = @userId",
            new { tenantId, userId, role = RoleNames.ToDb(role) }, session.Transaction) == 1;
    }

    /// <summary>Removes a member and their VM grants in that tenant.</summary>
    public async Task<bool> RemoveAsync(DbSession session, Guid tenantId, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var removed = await session.Connection.ExecuteAsync(
            "DELETE FROM nexus.tenant_memberships WHERE tenant_id = @tenantId AND user_id = @userId",
            new { tenantId, userId }, session.Transaction) == 1;
        if (removed)
        {
            await session.Connection.ExecuteAsync(
                "DELETE FROM nexus.vm_grants WHERE tenant_id = @tenantId AND user_id = @userId",
                new { tenantId, userId }, session.Transaction);
        }
        return removed;
    }

    /// <summary>How many admins the tenant has (the application keeps at least one).</summary>
    public Task<int> CountAdminsAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM nexus.tenant_memberships WHERE tenant_id = @tenantId AND role = 'admin'",
            new { tenantId }, session.Transaction);
    }

    private sealed class MemberRow
    {
        public Guid TenantId { get; init; }
        public Guid UserId { get; init; }
        public string Email { get; init; } = "";
        public string? FullName { get; init; }
        public string? Username { get; init; }
        public string Role { get; init; } = "viewer";
        public bool Disabled { get; init; }
        public DateTime CreatedAt { get; init; }

        public TenantMember ToRecord() => new(TenantId, UserId, Email, FullName, Username, RoleNames.ParseTenant(Role), Disabled, CreatedAt);
    }

    private sealed class UserTenantRow
    {
        public Guid TenantId { get; init; }
        public string TenantName { get; init; } = "";
        public string TenantSlug { get; init; } = "";
        public bool TenantIsActive { get; init; }
        public string Role { get; init; } = "viewer";
    }
}
