using Dapper;
using Nexus.Data;
using Npgsql;

namespace Nexus.Tests.Data.Rls;

/// <summary>
/// Raw SQL as the web application's role, scoped to a member of tenant A: tenant B's rows are invisible and
/// unwritable, whatever the query says.
/// </summary>
public sealed class TenantIsolationTests(TwoTenants world) : IClassFixture<TwoTenants>
{
    public static TheoryData<string> TenantScopedTables => new()
    {
        "nexus.tenants", "nexus.tenant_memberships", "nexus.servers", "nexus.vm_grants", "nexus.tenant_settings",
        "nexus.tenant_logos", "nexus.audit_log", "nexus.tenant_settings_effective",
    };

    [Theory]
    [MemberData(nameof(TenantScopedTables))]
    public async Task Admin_of_tenant_A_reads_no_row_of_tenant_B(string table)
    {
        var column = table == "nexus.tenants" ? "id" : "tenant_id";
        var sql = $"SELECT count(*) FROM {table} WHERE {column} = @TenantB";

        var seen = await world.AsUser(world.AdminA, c => c.ExecuteScalarAsync<long>(sql, new { world.TenantB }));

        Assert.Equal(0, seen);
        Assert.True(await world.AsOwner<long>(sql, new { world.TenantB }) > 0, $"{table} holds tenant B rows to hide");
    }

    [Fact]
    public async Task Admin_of_tenant_A_sees_tenant_A_and_not_the_other_tenants()
    {
        var tenants = await world.AsUser(world.AdminA, c => c.QueryAsync<Guid>("SELECT id FROM nexus.tenants"));

        Assert.Equal(new[] { world.TenantA }, tenants);
    }

    [Fact]
    public async Task Global_admin_sees_every_tenant()
    {
        var tenants = await world.AsUser(world.GlobalAdmin, c => c.QueryAsync<Guid>("SELECT id FROM nexus.tenants"));

        Assert.Contains(world.TenantA, tenants);
        Assert.Contains(world.TenantB, tenants);
    }

    [Fact]
    public async Task Admin_of_tenant_A_cannot_add_a_server_to_tenant_B()
    {
        var write = world.AsUser(world.AdminA, c => c.ExecuteAsync(
            "INSERT INTO nexus.servers (tenant_id, name, host, token_ciphertext, token_key_id) VALUES (@TenantB, 'x', 'x.example.test', '\\x00'::bytea, 'k1')",
            new { world.TenantB }));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => write);
        Assert.Equal(1, await world.AsOwner<long>("SELECT count(*) FROM nexus.servers WHERE tenant_id = @TenantB", new { world.TenantB }));
    }

    [Fact]
    public async Task Admin_of_tenant_A_cannot_change_or_delete_tenant_B_rows()
    {
        var changed = await world.AsUser(world.AdminA, async c =>
            await c.ExecuteAsync("UPDATE nexus.servers SET name = 'stolen' WHERE id = @ServerB", new { world.ServerB })
            + await c.ExecuteAsync("DELETE FROM nexus.servers WHERE id = @ServerB", new { world.ServerB })
            + await c.ExecuteAsync("UPDATE nexus.tenant_settings SET primary_color = '#ffffff' WHERE tenant_id = @TenantB", new { world.TenantB })
            + await c.ExecuteAsync("DELETE FROM nexus.tenant_logos WHERE tenant_id = @TenantB", new { world.TenantB })
            + await c.ExecuteAsync("DELETE FROM nexus.vm_grants WHERE tenant_id = @TenantB", new { world.TenantB })
            + await c.ExecuteAsync("DELETE FROM nexus.tenant_memberships WHERE tenant_id = @TenantB", new { world.TenantB })
            + await c.ExecuteAsync("UPDATE nexus.tenants SET name = 'stolen' WHERE id = @TenantB", new { world.TenantB }));

        Assert.Equal(0, changed);
        Assert.Equal("pve-b", await world.AsOwner<string>("SELECT name FROM nexus.servers WHERE id = @ServerB", new { world.ServerB }));
        Assert.Equal("#000000", await world.AsOwner<string>("SELECT primary_color FROM nexus.tenant_settings WHERE tenant_id = @TenantB", new { world.TenantB }));
        Assert.Equal(2, await world.AsOwner<long>("SELECT count(*) FROM nexus.tenant_memberships WHERE tenant_id = @TenantB", new { world.TenantB }));
        Assert.Equal(1, await world.AsOwner<long>("SELECT count(*) FROM nexus.vm_grants WHERE tenant_id = @TenantB", new { world.TenantB }));
        Assert.Equal(1, await world.AsOwner<long>("SELECT count(*) FROM nexus.tenant_logos WHERE tenant_id = @TenantB", new { world.TenantB }));
    }

    [Fact]
    public async Task Admin_of_tenant_A_cannot_join_tenant_B_or_write_its_settings_logo_or_grants()
    {
        Task Write(string sql) => world.AsUser(world.AdminA, c => c.ExecuteAsync(sql, new { world.TenantB, world.ServerB, world.AdminA }));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => Write(
            "INSERT INTO nexus.tenant_memberships (tenant_id, user_id, role) VALUES (@TenantB, @AdminA, 'admin')"));
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => Write(
            "INSERT INTO nexus.tenant_logos (tenant_id, content_type, bytes, sha256) VALUES (@TenantB, 'image/png', '\\x00'::bytea, repeat('b', 64))"));
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => Write(
            "INSERT INTO nexus.vm_grants (user_id, tenant_id, server_id, guest_type, vmid, permissions) VALUES (@AdminA, @TenantB, @ServerB, 'qemu', 101, ARRAY['console'])"));
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => Write(
            "INSERT INTO nexus.tenant_settings (tenant_id, primary_color) VALUES (gen_random_uuid(), '#ffffff')"));
        Assert.Equal(0, await world.AsOwner<long>(
            "SELECT count(*) FROM nexus.tenant_memberships WHERE tenant_id = @TenantB AND user_id = @AdminA", new { world.TenantB, world.AdminA }));
    }

    [Fact]
    public async Task A_server_of_tenant_A_cannot_be_moved_into_tenant_B()
    {
        var move = world.AsUser(world.AdminA, c => c.ExecuteAsync(
            "UPDATE nexus.servers SET tenant_id = @TenantB WHERE id = @ServerA", new { world.TenantB, world.ServerA }));

        // tenant_id is not even an updatable column for the application role.
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => move);
        Assert.Equal(world.TenantA, await world.AsOwner<Guid>("SELECT tenant_id FROM nexus.servers WHERE id = @ServerA", new { world.ServerA }));
    }

    [Fact]
    public async Task Admin_of_tenant_A_reads_tenant_A_members_but_not_tenant_B_members()
    {
        var members = await world.AsUser(world.AdminA, c => c.QueryAsync<Guid>("SELECT user_id FROM nexus.tenant_memberships"));
        var users = await world.AsUser(world.AdminA, c => c.QueryAsync<Guid>("SELECT id FROM nexus.users"));

        Assert.Equal(new[] { world.AdminA, world.ManagerA, world.ViewerA }.Order(), members.Order());
        Assert.Equal(new[] { world.AdminA, world.ManagerA, world.ViewerA }.Order(), users.Order());
    }

    [Fact]
    public async Task Viewer_reads_only_their_own_membership_and_account()
    {
        var members = await world.AsUser(world.ViewerA, c => c.QueryAsync<Guid>("SELECT user_id FROM nexus.tenant_memberships"));
        var users = await world.AsUser(world.ViewerA, c => c.QueryAsync<Guid>("SELECT id FROM nexus.users"));

        Assert.Equal(new[] { world.ViewerA }, members);
        Assert.Equal(new[] { world.ViewerA }, users);
    }

    [Fact]
    public async Task A_user_in_no_tenant_sees_no_tenant_rows()
    {
        var counts = await world.AsUser(world.Outsider, c => c.QueryAsync<long>(
            """
            SELECT count(*) FROM nexus.tenants UNION ALL SELECT count(*) FROM nexus.servers
            UNION ALL SELECT count(*) FROM nexus.tenant_memberships UNION ALL SELECT count(*) FROM nexus.audit_log
            """));

        Assert.All(counts, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task Application_role_without_a_caller_scope_sees_nothing()
    {
        await using var connection = new NpgsqlConnection(world.Roles.AppConnectionString);
        await connection.OpenAsync();

        var counts = await connection.QueryAsync<long>(
            "SELECT count(*) FROM nexus.users UNION ALL SELECT count(*) FROM nexus.tenants UNION ALL SELECT count(*) FROM nexus.servers");

        Assert.All(counts, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task The_caller_scope_ends_with_the_transaction()
    {
        await world.AsUser(world.AdminA, c => c.ExecuteScalarAsync<long>("SELECT count(*) FROM nexus.tenants"));

        // The same pool hands out the connection again; a new transaction must start unscoped.
        var leaked = await world.Database.AsSystemAsync(
            s => s.Connection.ExecuteScalarAsync<string?>("SELECT nullif(current_setting('nexus.user_id', true), '')"),
            CancellationToken.None);
        await using var app = new NpgsqlConnection(world.Roles.AppConnectionString);
        await app.OpenAsync();
        var appScope = await app.ExecuteScalarAsync<string?>("SELECT nullif(current_setting('nexus.user_id', true), '')");

        Assert.Null(leaked);
        Assert.Null(appScope);
    }

    [Fact]
    public async Task The_application_and_worker_roles_log_in_as_themselves_and_are_subject_to_row_level_security()
    {
        var app = await world.AsUser(world.AdminA, c => c.QuerySingleAsync<(string, bool, bool)>(
            "SELECT current_user::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"));
        var worker = await world.Database.AsSystemAsync(s => s.Connection.QuerySingleAsync<(string, bool, bool)>(
            "SELECT current_user::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"), CancellationToken.None);

        Assert.Equal(("nexus_app", false, false), app);
        Assert.Equal(("nexus_worker", false, false), worker);
    }
}
