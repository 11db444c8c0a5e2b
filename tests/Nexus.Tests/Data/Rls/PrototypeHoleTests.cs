using Dapper;
using Nexus.Data;

namespace Nexus.Tests.Data.Rls;

/// <summary>
/// The prototype's holes (seed-features §2), tried with raw SQL as the application role: each one is closed
/// in the database itself, whatever the application layer does.
/// </summary>
public sealed class PrototypeHoleTests(TwoTenants world) : IClassFixture<TwoTenants>
{
    [Fact]
    public async Task User_cannot_promote_themselves_to_global_admin()
    {
        var promote = world.AsUser(world.ViewerA, c => c.ExecuteAsync(
            "UPDATE nexus.users SET global_role = 'admin' WHERE id = @ViewerA", new { world.ViewerA }));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => promote);
        Assert.Equal("user", await world.AsOwner<string>("SELECT global_role FROM nexus.users WHERE id = @ViewerA", new { world.ViewerA }));
    }

    [Fact]
    public async Task Tenant_admin_cannot_promote_anyone_to_global_admin()
    {
        var promote = world.AsUser(world.AdminA, c => c.ExecuteAsync(
            "UPDATE nexus.users SET global_role = 'admin' WHERE id IN (@AdminA, @ViewerA)", new { world.AdminA, world.ViewerA }));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => promote);
        Assert.Equal(0, await world.AsOwner<long>(
            "SELECT count(*) FROM nexus.users WHERE global_role = 'admin' AND id <> @GlobalAdmin", new { world.GlobalAdmin }));
    }

    [Fact]
    public async Task User_cannot_create_an_admin_account()
    {
        var create = world.AsUser(world.ViewerA, c => c.ExecuteAsync(
            "INSERT INTO nexus.users (email, password_hash, global_role) VALUES ('sneaky@example.test', 'x', 'admin')"));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => create);
        Assert.Equal(0, await world.AsOwner<long>("SELECT count(*) FROM nexus.users WHERE email = 'sneaky@example.test'"));
    }

    [Fact]
    public async Task No_one_can_revive_ended_sessions_by_lowering_the_token_generation_through_the_web_role()
    {
        var user = Guid.NewGuid();
        await using (var owner = new Npgsql.NpgsqlConnection(world.OwnerConnectionString))
        {
            await owner.ExecuteAsync(
                "INSERT INTO nexus.users (id, email, password_hash, global_role, token_generation) VALUES (@user, @email, 'x', 'admin', 3)",
                new { user, email = $"ended-{user:N}@example.test" });
        }

        // Not even a global admin on their own row: only the worker raises it, together with revoking refresh tokens.
        var lower = world.AsUser(user, c => c.ExecuteAsync("UPDATE nexus.users SET token_generation = 0 WHERE id = @user", new { user }));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => lower);
        Assert.Equal(3, await world.AsOwner<int>("SELECT token_generation FROM nexus.users WHERE id = @user", new { user }));
        Assert.Equal(3, await world.AsUser(user, c => c.ExecuteScalarAsync<int>("SELECT token_generation FROM nexus.users WHERE id = @user", new { user })));
    }

    [Fact]
    public async Task Locked_out_user_cannot_unlock_themselves()
    {
        var user = Guid.NewGuid();
        await using (var owner = new Npgsql.NpgsqlConnection(world.OwnerConnectionString))
        {
            await owner.ExecuteAsync(
                "INSERT INTO nexus.users (id, email, password_hash, failed_login_count, locked_until) VALUES (@user, @email, 'x', 4, now() + interval '1 hour')",
                new { user, email = $"locked-{user:N}@example.test" });
        }

        var unlock = world.AsUser(user, c => c.ExecuteAsync(
            "UPDATE nexus.users SET failed_login_count = 0, locked_until = NULL WHERE id = @user", new { user }));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => unlock);
        Assert.Equal(4, await world.AsOwner<int>("SELECT failed_login_count FROM nexus.users WHERE id = @user", new { user }));
    }

    [Fact]
    public async Task Global_admin_cannot_demote_or_disable_themselves()
    {
        var demote = world.AsUser(world.GlobalAdmin, c => c.ExecuteAsync(
            "UPDATE nexus.users SET global_role = 'user' WHERE id = @GlobalAdmin", new { world.GlobalAdmin }));
        var disable = world.AsUser(world.GlobalAdmin, c => c.ExecuteAsync(
            "UPDATE nexus.users SET disabled = true WHERE id = @GlobalAdmin", new { world.GlobalAdmin }));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => demote);
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => disable);
    }

    [Fact]
    public async Task Viewer_cannot_promote_themselves_in_their_tenant()
    {
        var changed = await world.AsUser(world.ViewerA, c => c.ExecuteAsync(
            "UPDATE nexus.tenant_memberships SET role = 'admin' WHERE user_id = @ViewerA", new { world.ViewerA }));
        var join = world.AsUser(world.ViewerB, c => c.ExecuteAsync(
            "INSERT INTO nexus.tenant_memberships (tenant_id, user_id, role) VALUES (@TenantA, @ViewerB, 'admin')",
            new { world.TenantA, world.ViewerB }));

        Assert.Equal(0, changed);
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => join);
        Assert.Equal("viewer", await world.AsOwner<string>(
            "SELECT role FROM nexus.tenant_memberships WHERE user_id = @ViewerA", new { world.ViewerA }));
    }

    [Fact]
    public async Task Manager_cannot_change_memberships()
    {
        var changed = await world.AsUser(world.ManagerA, c => c.ExecuteAsync(
            "UPDATE nexus.tenant_memberships SET role = 'admin' WHERE tenant_id = @TenantA", new { world.TenantA }));

        Assert.Equal(0, changed);
    }

    [Fact]
    public async Task Audit_row_cannot_be_forged_for_another_tenant()
    {
        var forge = world.AsUser(world.AdminA, c => c.ExecuteAsync(
            "INSERT INTO nexus.audit_log (tenant_id, actor_id, action, outcome) VALUES (@TenantB, @AdminA, 'server.delete', 'success')",
            new { world.TenantB, world.AdminA }));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => forge);
        Assert.Equal(0, await world.AsOwner<long>(
            "SELECT count(*) FROM nexus.audit_log WHERE tenant_id = @TenantB AND actor_id = @AdminA", new { world.TenantB, world.AdminA }));
    }

    [Fact]
    public async Task Audit_row_cannot_name_another_actor_nor_a_forged_address_or_time()
    {
        var otherActor = world.AsUser(world.ViewerA, c => c.ExecuteAsync(
            "INSERT INTO nexus.audit_log (tenant_id, actor_id, action, outcome) VALUES (@TenantA, @AdminA, 'member.remove', 'success')",
            new { world.TenantA, world.AdminA }));
        var noActor = world.AsUser(world.ViewerA, c => c.ExecuteAsync(
            "INSERT INTO nexus.audit_log (tenant_id, actor_id, action, outcome) VALUES (@TenantA, NULL, 'system.thing', 'success')",
            new { world.TenantA }));
        var forgedAddress = world.AsUser(world.ViewerA, c => c.ExecuteAsync(
            "INSERT INTO nexus.audit_log (tenant_id, actor_id, actor_email, action, outcome) VALUES (@TenantA, @ViewerA, 'admin.a@example.test', 'x', 'success')",
            new { world.TenantA, world.ViewerA }));
        var forgedTime = world.AsUser(world.ViewerA, c => c.ExecuteAsync(
            "INSERT INTO nexus.audit_log (tenant_id, actor_id, action, outcome, created_at) VALUES (@TenantA, @ViewerA, 'x', 'success', '2000-01-01')",
            new { world.TenantA, world.ViewerA }));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => otherActor);
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => noActor);
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => forgedAddress);
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => forgedTime);
    }

    [Fact]
    public async Task Viewer_writes_an_audit_row_about_themselves_in_their_tenant_stamped_with_their_address()
    {
        var action = "vm.console." + Guid.NewGuid().ToString("N");
        await world.AsUser(world.ViewerA, c => c.ExecuteAsync(
            "INSERT INTO nexus.audit_log (tenant_id, actor_id, action, outcome) VALUES (@TenantA, @ViewerA, @action, 'success')",
            new { world.TenantA, world.ViewerA, action }));

        Assert.Equal("viewer.a@example.test", await world.AsOwner<string>(
            "SELECT actor_email FROM nexus.audit_log WHERE action = @action", new { action }));
    }

    [Theory]
    [InlineData("UPDATE nexus.audit_log SET action = 'nothing.happened'")]
    [InlineData("DELETE FROM nexus.audit_log")]
    [InlineData("TRUNCATE nexus.audit_log")]
    public async Task Audit_rows_cannot_be_changed_or_deleted_even_by_a_global_admin(string sql)
    {
        var before = await world.AsOwner<long>("SELECT count(*) FROM nexus.audit_log");

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => world.AsUser(world.GlobalAdmin, c => c.ExecuteAsync(sql)));

        Assert.Equal(before, await world.AsOwner<long>("SELECT count(*) FROM nexus.audit_log WHERE action <> 'nothing.happened'"));
    }

    [Fact]
    public async Task Viewer_cannot_edit_or_delete_a_server_of_their_own_tenant()
    {
        var changed = await world.AsUser(world.ViewerA, async c =>
            await c.ExecuteAsync("UPDATE nexus.servers SET host = 'evil.example.test' WHERE id = @ServerA", new { world.ServerA })
            + await c.ExecuteAsync("DELETE FROM nexus.servers WHERE id = @ServerA", new { world.ServerA }));
        var add = world.AsUser(world.ViewerA, c => c.ExecuteAsync(
            "INSERT INTO nexus.servers (tenant_id, name, host, token_ciphertext, token_key_id) VALUES (@TenantA, 'v', 'v.example.test', '\\x00'::bytea, 'k1')",
            new { world.TenantA }));

        Assert.Equal(0, changed);
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => add);
        Assert.Equal("pve-a.example.test", await world.AsOwner<string>("SELECT host FROM nexus.servers WHERE id = @ServerA", new { world.ServerA }));
    }

    [Fact]
    public async Task Manager_edits_a_server_but_cannot_delete_it_and_the_tenant_admin_can()
    {
        var server = Guid.NewGuid();
        await world.AsUser(world.ManagerA, c => c.ExecuteAsync(
            "INSERT INTO nexus.servers (id, tenant_id, name, host, token_ciphertext, token_key_id) VALUES (@server, @TenantA, 'm', 'm.example.test', '\\x00'::bytea, 'k1')",
            new { server, world.TenantA }));

        var edited = await world.AsUser(world.ManagerA, c => c.ExecuteAsync(
            "UPDATE nexus.servers SET name = 'm2' WHERE id = @server", new { server }));
        var deletedByManager = await world.AsUser(world.ManagerA, c => c.ExecuteAsync(
            "DELETE FROM nexus.servers WHERE id = @server", new { server }));
        var deletedByAdmin = await world.AsUser(world.AdminA, c => c.ExecuteAsync(
            "DELETE FROM nexus.servers WHERE id = @server", new { server }));

        Assert.Equal((1, 0, 1), (edited, deletedByManager, deletedByAdmin));
    }

    [Fact]
    public async Task Viewer_cannot_change_tenant_settings_or_logo()
    {
        var changed = await world.AsUser(world.ViewerB, async c =>
            await c.ExecuteAsync("UPDATE nexus.tenant_settings SET primary_color = '#ffffff' WHERE tenant_id = @TenantB", new { world.TenantB })
            + await c.ExecuteAsync("DELETE FROM nexus.tenant_logos WHERE tenant_id = @TenantB", new { world.TenantB }));
        var seen = await world.AsUser(world.ViewerB, c => c.ExecuteScalarAsync<string>(
            "SELECT primary_color FROM nexus.tenant_settings WHERE tenant_id = @TenantB", new { world.TenantB }));

        Assert.Equal(0, changed);
        Assert.Equal("#000000", seen);
    }

    [Fact]
    public async Task Viewer_cannot_grant_themselves_vm_permissions()
    {
        var grant = world.AsUser(world.ViewerB, c => c.ExecuteAsync(
            "INSERT INTO nexus.vm_grants (user_id, tenant_id, server_id, guest_type, vmid, permissions) VALUES (@ViewerB, @TenantB, @ServerB, 'qemu', 200, ARRAY['start','stop'])",
            new { world.ViewerB, world.TenantB, world.ServerB }));
        var widened = await world.AsUser(world.ViewerB, c => c.ExecuteAsync(
            "UPDATE nexus.vm_grants SET permissions = ARRAY['view','console','start','stop','restart'] WHERE user_id = @ViewerB", new { world.ViewerB }));
        var own = await world.AsUser(world.ViewerB, c => c.ExecuteScalarAsync<long>("SELECT count(*) FROM nexus.vm_grants"));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => grant);
        Assert.Equal(0, widened);
        Assert.Equal(1, own);
    }

    [Fact]
    public async Task A_disabled_tenant_admin_loses_their_tenant()
    {
        var user = Guid.NewGuid();
        await using (var owner = new Npgsql.NpgsqlConnection(world.OwnerConnectionString))
        {
            await owner.ExecuteAsync(
                """
                INSERT INTO nexus.users (id, email, password_hash, disabled) VALUES (@user, @email, 'x', true);
                INSERT INTO nexus.tenant_memberships (tenant_id, user_id, role) VALUES (@TenantA, @user, 'admin');
                """,
                new { user, email = $"disabled-{user:N}@example.test", world.TenantA });
        }

        var tenants = await world.AsUser(user, c => c.ExecuteScalarAsync<long>("SELECT count(*) FROM nexus.tenants"));
        var deleted = await world.AsUser(user, c => c.ExecuteAsync("DELETE FROM nexus.servers WHERE id = @ServerA", new { world.ServerA }));

        Assert.Equal(0, tenants);
        Assert.Equal(0, deleted);
    }

    [Fact]
    public async Task The_application_role_cannot_read_password_hashes_even_as_global_admin()
    {
        var read = world.AsUser(world.GlobalAdmin, c => c.QueryAsync<string>("SELECT password_hash FROM nexus.users"));

        await Assert.ThrowsAsync<DataAccessDeniedException>(() => read);
    }
}
