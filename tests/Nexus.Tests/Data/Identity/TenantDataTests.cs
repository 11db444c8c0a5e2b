using System.Text;
using Nexus.Contracts.Identity;
using Nexus.Data;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;
using Nexus.Tests.Data.Rls;

namespace Nexus.Tests.Data.Identity;

public sealed class TenantDataTests(TwoTenants world) : IClassFixture<TwoTenants>
{
    private readonly TenantStore tenants = new();
    private readonly TenantSettingsStore settings = new();
    private readonly MembershipStore memberships = new();
    private readonly VmGrantStore grants = new();
    private INexusDatabase Db => world.Database;

    private Task<T> As<T>(Guid user, Func<DbSession, Task<T>> work) => Db.AsUserAsync(user, work, CancellationToken.None);

    private static string Slug() => "t-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Only_a_global_admin_creates_tenants_and_slugs_are_unique()
    {
        var slug = Slug();
        var created = await As(world.GlobalAdmin, s => tenants.CreateAsync(s, new NewTenant("Acme", slug, "MSP customer")));

        await Assert.ThrowsAsync<DuplicateException>(() => As(world.GlobalAdmin, s => tenants.CreateAsync(s, new NewTenant("Acme 2", slug, null))));
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => As(world.AdminA, s => tenants.CreateAsync(s, new NewTenant("Mine", Slug(), null))));
        await Assert.ThrowsAsync<ConstraintViolationException>(() => As(world.GlobalAdmin, s => tenants.CreateAsync(s, new NewTenant("Bad", "Not A Slug", null))));
        Assert.Equal((slug, world.GlobalAdmin, true), (created.Slug, created.CreatedBy, created.IsActive));
    }

    [Fact]
    public async Task A_tenant_admin_cannot_rename_their_tenant()
    {
        var changed = await As(world.AdminA, s => tenants.UpdateAsync(s, world.TenantA, new TenantUpdate("Renamed", "tenant-a", null, true)));

        Assert.False(changed);
    }

    [Fact]
    public async Task Settings_read_as_defaults_without_writing_a_row()
    {
        var tenant = await As(world.GlobalAdmin, s => tenants.CreateAsync(s, new NewTenant("Fresh", Slug(), null)));

        var read = await As(world.GlobalAdmin, s => settings.GetAsync(s, tenant.Id));

        var expected = new TenantSettingsValues(
            "#3b82f6", "#1e40af", "#f59e0b", null, true, false, true, 10000, true, 300000, 80m, 500, 60, 20, 900, 14400, 10, 50);
        Assert.Equal(expected, read!.Values);
        Assert.Null(read.UpdatedAt);
        Assert.Equal(0, await world.AsOwner<long>("SELECT count(*) FROM nexus.tenant_settings WHERE tenant_id = @Id", new { tenant.Id }));
    }

    [Fact]
    public async Task Tenant_admin_changes_settings_a_viewer_reads_them_and_cannot_change_them()
    {
        var current = (await As(world.AdminA, s => settings.GetAsync(s, world.TenantA)))!.Values;
        var wanted = current with { PrimaryColor = "#112233", PollIntervalSeconds = 30, AlertSuccessRateThreshold = 95m };

        await As(world.AdminA, async s => { await settings.UpdateAsync(s, world.TenantA, wanted); return 0; });
        var seenByViewer = await As(world.ViewerA, s => settings.GetAsync(s, world.TenantA));
        var byViewer = As(world.ViewerA, async s => { await settings.UpdateAsync(s, world.TenantA, wanted with { PrimaryColor = "#000000" }); return 0; });
        var byOtherTenant = await As(world.AdminB, s => settings.GetAsync(s, world.TenantA));

        Assert.Equal(wanted, seenByViewer!.Values);
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => byViewer);
        Assert.Null(byOtherTenant);
    }

    [Theory]
    [InlineData(nameof(TenantSettingsValues.DefaultConnectionTimeoutMs), 4999)]
    [InlineData(nameof(TenantSettingsValues.PollIntervalSeconds), 301)]
    [InlineData(nameof(TenantSettingsValues.AlertLatencyThresholdMs), 99)]
    [InlineData(nameof(TenantSettingsValues.AlertOfflineDurationSeconds), 301)]
    [InlineData(nameof(TenantSettingsValues.AutoHealthCheckIntervalMs), 59999)]
    public async Task Out_of_range_settings_are_refused(string setting, int value)
    {
        var current = (await As(world.AdminA, s => settings.GetAsync(s, world.TenantA)))!.Values;
        var wanted = setting switch
        {
            nameof(TenantSettingsValues.DefaultConnectionTimeoutMs) => current with { DefaultConnectionTimeoutMs = value },
            nameof(TenantSettingsValues.PollIntervalSeconds) => current with { PollIntervalSeconds = value },
            nameof(TenantSettingsValues.AlertLatencyThresholdMs) => current with { AlertLatencyThresholdMs = value },
            nameof(TenantSettingsValues.AlertOfflineDurationSeconds) => current with { AlertOfflineDurationSeconds = value },
            _ => current with { AutoHealthCheckIntervalMs = value },
        };

        await Assert.ThrowsAsync<ConstraintViolationException>(() =>
            As(world.AdminA, async s => { await settings.UpdateAsync(s, world.TenantA, wanted); return 0; }));
    }

    [Fact]
    public async Task Tenant_admin_uploads_a_logo_that_members_read_and_the_settings_name_by_hash()
    {
        var logos = new TenantLogoStore();
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3 };

        var hash = await As(world.AdminA, s => logos.PutAsync(s, world.TenantA, "image/png", png));
        var read = await As(world.ViewerA, s => logos.GetAsync(s, world.TenantA));
        var named = await As(world.ViewerA, s => settings.GetAsync(s, world.TenantA));
        var svg = As(world.AdminA, s => logos.PutAsync(s, world.TenantA, "image/svg+xml", Encoding.UTF8.GetBytes("<svg/>")));

        Assert.Equal(png, read!.Bytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png)), hash);
        Assert.Equal(hash, named!.LogoSha256);
        await Assert.ThrowsAsync<ConstraintViolationException>(() => svg);
    }

    [Fact]
    public async Task Tenant_admin_manages_members_and_removing_a_member_drops_their_grants()
    {
        var user = await As(world.GlobalAdmin, s => new UserStore().CreateAsync(s, new NewUser($"m-{Guid.NewGuid():N}@example.test", "hash")));

        await As(world.AdminA, async s =>
        {
            await memberships.AddAsync(s, world.TenantA, user.Id, TenantRole.Viewer);
            await grants.UpsertAsync(s, user.Id, world.TenantA, new VmAddress(world.ServerA, "lxc", 301), VmPermissions.View | VmPermissions.Console);
            return await memberships.ChangeRoleAsync(s, world.TenantA, user.Id, TenantRole.Manager);
        });
        var listed = await As(world.AdminA, s => memberships.ListMembersAsync(s, world.TenantA));
        var theirTenants = await As(user.Id, s => memberships.ListForUserAsync(s, user.Id));
        var removed = await As(world.AdminA, s => memberships.RemoveAsync(s, world.TenantA, user.Id));

        Assert.Equal(TenantRole.Manager, Assert.Single(listed, m => m.UserId == user.Id).Role);
        Assert.Equal((world.TenantA, TenantRole.Manager), (Assert.Single(theirTenants).TenantId, theirTenants[0].Role));
        Assert.True(removed);
        Assert.Equal(0, await world.AsOwner<long>("SELECT count(*) FROM nexus.vm_grants WHERE user_id = @Id", new { user.Id }));
    }

    [Fact]
    public async Task Adding_an_existing_member_again_is_a_duplicate()
    {
        await Assert.ThrowsAsync<DuplicateException>(() =>
            As(world.AdminA, async s => { await memberships.AddAsync(s, world.TenantA, world.ViewerA, TenantRole.Viewer); return 0; }));
    }

    [Fact]
    public async Task A_grant_keeps_its_permission_set_and_cannot_point_at_another_tenants_server()
    {
        var vm = new VmAddress(world.ServerA, "qemu", 4242);

        var first = await As(world.AdminA, s => grants.UpsertAsync(s, world.ViewerA, world.TenantA, vm, VmPermissions.View));
        var widened = await As(world.AdminA, s => grants.UpsertAsync(s, world.ViewerA, world.TenantA, vm, VmPermissions.View | VmPermissions.Start | VmPermissions.Restart));
        var own = await As(world.ViewerA, s => grants.ListForUserAsync(s, world.ViewerA, world.TenantA));
        var crossTenant = As(world.GlobalAdmin, s => grants.UpsertAsync(s, world.ViewerA, world.TenantA, new VmAddress(world.ServerB, "qemu", 100), VmPermissions.View));

        Assert.Equal(first.Id, widened.Id);
        Assert.Equal(VmPermissions.View | VmPermissions.Start | VmPermissions.Restart, Assert.Single(own, g => g.Vm == vm).Permissions);
        await Assert.ThrowsAsync<ReferenceException>(() => crossTenant);
    }

    [Fact]
    public async Task Deleting_a_tenant_deletes_what_belongs_to_it_and_keeps_its_audit_history_detached()
    {
        var tenant = await As(world.GlobalAdmin, s => tenants.CreateAsync(s, new NewTenant("Doomed", Slug(), null)));
        var server = Guid.NewGuid();
        await using (var owner = new Npgsql.NpgsqlConnection(world.OwnerConnectionString))
        {
            await Dapper.SqlMapper.ExecuteAsync(owner,
                """
                INSERT INTO nexus.tenant_memberships (tenant_id, user_id, role) VALUES (@Id, @ViewerA, 'viewer');
                INSERT INTO nexus.servers (id, tenant_id, name, host, token_ciphertext, token_key_id) VALUES (@server, @Id, 's', 's.example.test', '\x00'::bytea, 'k');
                INSERT INTO nexus.vm_grants (user_id, tenant_id, server_id, guest_type, vmid, permissions) VALUES (@ViewerA, @Id, @server, 'qemu', 100, ARRAY['view']);
                INSERT INTO nexus.tenant_settings (tenant_id, server_quota) VALUES (@Id, 5);
                INSERT INTO nexus.tenant_logos (tenant_id, content_type, bytes, sha256) VALUES (@Id, 'image/png', '\x00'::bytea, repeat('c', 64));
                """,
                new { tenant.Id, world.ViewerA, server });
        }
        await As(world.GlobalAdmin, async s =>
        {
            await new AuditLog().WriteAsync(s, new AuditEntry(tenant.Id, world.GlobalAdmin, "tenant.note", AuditOutcome.Success, "tenant", tenant.Id.ToString()));
            return 0;
        });

        var deleted = await As(world.GlobalAdmin, s => tenants.DeleteAsync(s, tenant.Id));

        Assert.True(deleted);
        Assert.Equal(0, await world.AsOwner<long>(
            """
            SELECT (SELECT count(*) FROM nexus.tenant_memberships WHERE tenant_id = @Id) + (SELECT count(*) FROM nexus.servers WHERE tenant_id = @Id)
                 + (SELECT count(*) FROM nexus.vm_grants WHERE tenant_id = @Id) + (SELECT count(*) FROM nexus.tenant_settings WHERE tenant_id = @Id)
                 + (SELECT count(*) FROM nexus.tenant_logos WHERE tenant_id = @Id)
            """, new { tenant.Id }));
        Assert.Equal(1, await world.AsOwner<long>(
            "SELECT count(*) FROM nexus.audit_log WHERE action = 'tenant.note' AND target_id = @target AND tenant_id IS NULL",
            new { target = tenant.Id.ToString() }));
    }

    [Fact]
    public async Task Audit_readers_are_tenant_admins_for_their_tenant_and_global_admins_for_everything()
    {
        var log = new AuditLog();
        var action = "vm.start";
        var marker = Guid.NewGuid().ToString("N");
        await As(world.ManagerA, async s =>
        {
            await log.WriteAsync(s, new AuditEntry(world.TenantA, world.ManagerA, action, AuditOutcome.Success, "vm", "100", "=HYPERLINK(\"x\")," + marker,
                """{"node":"pve1"}""", System.Net.IPAddress.Parse("2001:db8::1"), "curl/8"));
            return 0;
        });

        var query = new AuditQuery(Search: marker);
        var byTenantAdmin = await As(world.AdminA, s => log.QueryAsync(s, query));
        var byManager = await As(world.ManagerA, s => log.QueryAsync(s, query));
        var byOtherAdmin = await As(world.AdminB, s => log.QueryAsync(s, query));
        var byGlobalAdmin = await As(world.GlobalAdmin, s => log.QueryAsync(s, query with { TenantId = world.TenantA }));
        var csv = await As(world.AdminA, async s =>
        {
            var lines = new List<string>();
            await foreach (var line in log.StreamCsvRowsAsync(s, query))
            {
                lines.Add(line);
            }
            return lines;
        });

        var row = Assert.Single(byTenantAdmin);
        Assert.Equal(("manager.a@example.test", AuditOutcome.Success, "2001:db8::1", "pve1"),
            (row.ActorEmail, row.Outcome, row.ClientIp?.ToString(), System.Text.Json.JsonDocument.Parse(row.DetailsJson).RootElement.GetProperty("node").GetString()));
        Assert.Empty(byManager);
        Assert.Empty(byOtherAdmin);
        Assert.Single(byGlobalAdmin);
        Assert.Equal(2, csv.Count);
        Assert.Contains($",\"'=HYPERLINK(\"\"x\"\"),{marker}\",", csv[1], StringComparison.Ordinal);
    }
}
