using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Data.Access;
using Npgsql;

namespace Nexus.Tests.Data.Rls;

/// <summary>
/// A migrated database with two tenants, A and B, and people in every role, written as the owner. Tests act
/// through <see cref="Database"/>: the real <c>nexus_app</c> and <c>nexus_worker</c> logins, as the host uses them.
/// </summary>
public sealed class TwoTenants : IAsyncLifetime
{
    private readonly DatabaseFixture database = new();

    public string OwnerConnectionString => database.ConnectionString;

    public NexusDatabaseOptions Roles { get; private set; } = new();

    public NexusDatabase Database { get; private set; } = null!;

    public Guid GlobalAdmin { get; } = Guid.NewGuid();
    public Guid TenantA { get; } = Guid.NewGuid();
    public Guid TenantB { get; } = Guid.NewGuid();
    public Guid AdminA { get; } = Guid.NewGuid();
    public Guid ManagerA { get; } = Guid.NewGuid();
    public Guid ViewerA { get; } = Guid.NewGuid();
    public Guid AdminB { get; } = Guid.NewGuid();
    public Guid ViewerB { get; } = Guid.NewGuid();
    public Guid Outsider { get; } = Guid.NewGuid();
    public Guid ServerA { get; } = Guid.NewGuid();
    public Guid ServerB { get; } = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        Roles = await DatabaseRoles.PrepareAsync(OwnerConnectionString, new NexusDatabaseOptions(), NullLogger.Instance, CancellationToken.None);
        Database = new NexusDatabase(Roles);

        await using var owner = new NpgsqlConnection(OwnerConnectionString);
        await owner.OpenAsync();
        await owner.ExecuteAsync(
            "INSERT INTO nexus.users (id, email, password_hash, global_role) VALUES (@id, @email, 'x', @role)",
            new[]
            {
                new { id = GlobalAdmin, email = "root@example.test", role = "admin" },
                new { id = AdminA, email = "admin.a@example.test", role = "user" },
                new { id = ManagerA, email = "manager.a@example.test", role = "user" },
                new { id = ViewerA, email = "viewer.a@example.test", role = "user" },
                new { id = AdminB, email = "admin.b@example.test", role = "user" },
                new { id = ViewerB, email = "viewer.b@example.test", role = "user" },
                new { id = Outsider, email = "outsider@example.test", role = "user" },
            });
        await owner.ExecuteAsync(
            "INSERT INTO nexus.tenants (id, name, slug) VALUES (@TenantA, 'Tenant A', 'tenant-a'), (@TenantB, 'Tenant B', 'tenant-b')",
            new { TenantA, TenantB });
        await owner.ExecuteAsync(
            "INSERT INTO nexus.tenant_memberships (tenant_id, user_id, role) VALUES (@tenant, @user, @role)",
            new[]
            {
                new { tenant = TenantA, user = AdminA, role = "admin" },
                new { tenant = TenantA, user = ManagerA, role = "manager" },
                new { tenant = TenantA, user = ViewerA, role = "viewer" },
                new { tenant = TenantB, user = AdminB, role = "admin" },
                new { tenant = TenantB, user = ViewerB, role = "viewer" },
            });
        await owner.ExecuteAsync(
            """
            INSERT INTO nexus.servers (id, tenant_id, name, host, token_ciphertext, token_key_id)
            VALUES (@ServerA, @TenantA, 'pve-a', 'pve-a.example.test', '\x01'::bytea, 'k1'),
                   (@ServerB, @TenantB, 'pve-b', 'pve-b.example.test', '\x02'::bytea, 'k1')
            """,
            new { ServerA, ServerB, TenantA, TenantB });
        await owner.ExecuteAsync(
            """
            INSERT INTO nexus.tenant_settings (tenant_id, primary_color) VALUES (@TenantB, '#000000');
            INSERT INTO nexus.tenant_logos (tenant_id, content_type, bytes, sha256)
                VALUES (@TenantB, 'image/png', '\x89504e47'::bytea, repeat('a', 64));
            INSERT INTO nexus.vm_grants (user_id, tenant_id, server_id, guest_type, vmid, permissions)
                VALUES (@ViewerB, @TenantB, @ServerB, 'qemu', 100, ARRAY['view','console']);
            INSERT INTO nexus.audit_log (tenant_id, actor_id, action, outcome) VALUES (@TenantB, @AdminB, 'server.create', 'success');
            """,
            new { TenantB, ServerB, ViewerB, AdminB });
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        await database.DisposeAsync();
    }

    /// <summary>Raw SQL as the application role, scoped to <paramref name="userId"/>.</summary>
    public Task<T> AsUser<T>(Guid userId, Func<NpgsqlConnection, Task<T>> work) =>
        Database.AsUserAsync(userId, session => work(session.Connection), CancellationToken.None);

    /// <summary>A read as the owner (no row-level security), to check what really is in the table.</summary>
    public async Task<T> AsOwner<T>(string sql, object? parameters = null)
    {
        await using var owner = new NpgsqlConnection(OwnerConnectionString);
        await owner.OpenAsync();
        return await owner.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException("no value");
    }
}
