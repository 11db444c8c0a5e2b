using Dapper;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;

namespace Nexus.Data.Identity;

/// <summary>One user's permissions on one VM (server + guest type + vmid) of a tenant.</summary>
public sealed record VmGrantRecord(
    Guid Id,
    Guid UserId,
    Guid TenantId,
    VmAddress Vm,
    VmPermissions Permissions,
    DateTime CreatedAt,
    Guid? CreatedBy);

/// <summary>
/// Per-user VM grants. A user reads their own; a tenant's admins (and global admins) read and manage the
/// tenant's. The server must belong to the named tenant (composite foreign key → <see cref="ReferenceException"/>).
/// </summary>
public sealed class VmGrantStore
{
    private const string Columns = """
        id AS Id, user_id AS UserId, tenant_id AS TenantId, server_id AS ServerId, guest_type AS GuestType,
        vmid AS VmId, permissions AS Permissions, created_at AS CreatedAt, created_by AS CreatedBy
        """;

    /// <summary>The user's grants in one tenant (what the permission policy needs).</summary>
    public async Task<IReadOnlyList<VmGrantRecord>> ListForUserAsync(DbSession session, Guid userId, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<GrantRow>(
            $"SELECT {Columns} FROM nexus.vm_grants WHERE user_id = @userId AND tenant_id = @tenantId ORDER BY server_id, guest_type, vmid",
            new { userId, tenantId }, session.Transaction);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>Every grant of a tenant, for its admins.</summary>
    public async Task<IReadOnlyList<VmGrantRecord>> ListForTenantAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<GrantRow>(
            $"SELECT {Columns} FROM nexus.vm_grants WHERE tenant_id = @tenantId ORDER BY user_id, server_id, guest_type, vmid",
            new { tenantId }, session.Transaction);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<VmGrantRecord?> FindAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        var row = await session.Connection.QuerySingleOrDefaultAsync<GrantRow>(
            $"SELECT {Columns} FROM nexus.vm_grants WHERE id = @id", new { id }, session.Transaction);
        return row?.ToRecord();
    }

    /// <summary>Creates the grant, or replaces the permissions of the user's existing grant on that VM.</summary>
    public async Task<VmGrantRecord> UpsertAsync(DbSession session, Guid userId, Guid tenantId, VmAddress vm, VmPermissions permissions)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(vm);
        var names = VmPermissionNames.ToNames(permissions).ToArray();
        if (names.Length == 0)
        {
            throw new ArgumentException("A grant holds at least one permission; delete it instead.", nameof(permissions));
        }

        var id = await session.Connection.ExecuteScalarAsync<Guid>(
            """
            INSERT INTO nexus.vm_grants (user_id, tenant_id, server_id, guest_type, vmid, permissions)
            VALUES (@userId, @tenantId, @ServerId, @GuestType, @VmId, @names)
            ON CONFLICT (user_id, server_id, guest_type, vmid) DO UPDATE SET permissions = excluded.permissions
            RETURNING id
            """,
            new { userId, tenantId, vm.ServerId, vm.GuestType, vm.VmId, names }, session.Transaction);
        return await FindAsync(session, id) ?? throw new InvalidOperationException("The grant is not visible to its writer.");
    }

    public async Task<bool> DeleteAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "DELETE FROM nexus.vm_grants WHERE id = @id", new { id }, session.Transaction) == 1;
    }

    private sealed class GrantRow
    {
        public Guid Id { get; init; }
        public Guid UserId { get; init; }
        public Guid TenantId { get; init; }
        public Guid ServerId { get; init; }
        public string GuestType { get; init; } = "";
        public int VmId { get; init; }
        public string[] Permissions { get; init; } = [];
        public DateTime CreatedAt { get; init; }
        public Guid? CreatedBy { get; init; }

        public VmGrantRecord ToRecord()
        {
            VmPermissionNames.TryParse(Permissions, out var permissions, out _);
            return new VmGrantRecord(Id, UserId, TenantId, new VmAddress(ServerId, GuestType, VmId), permissions, CreatedAt, CreatedBy);
        }
    }
}
