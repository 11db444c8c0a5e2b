using System.Net;
using Dapper;
using Nexus.Contracts.Identity;
using Nexus.Data;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;
using Nexus.Tests.Data.Rls;

namespace Nexus.Tests.Data.Identity;

public sealed class AccountTests(TwoTenants world) : IClassFixture<TwoTenants>
{
    private readonly UserStore users = new();
    private INexusDatabase Db => world.Database;

    private static string Email(string name) => $"{name}-{Guid.NewGuid():N}@example.test";

    private Task<T> AsAdmin<T>(Func<DbSession, Task<T>> work) => Db.AsUserAsync(world.GlobalAdmin, work, CancellationToken.None);

    [Fact]
    public async Task Email_is_unique_regardless_of_letter_case()
    {
        var email = Email("Case");
        await AsAdmin(s => users.CreateAsync(s, new NewUser(email, "hash")));

        var duplicate = await Assert.ThrowsAsync<DuplicateException>(() =>
            AsAdmin(s => users.CreateAsync(s, new NewUser(email.ToUpperInvariant(), "hash"))));

        Assert.Equal("users_email_key", duplicate.Constraint);
    }

    [Fact]
    public async Task Global_admin_creates_an_account_that_login_finds_by_address_in_any_case()
    {
        var email = Email("Login");
        var created = await AsAdmin(s => users.CreateAsync(s, new NewUser(email, "$argon2id$hash", "Ada Lovelace", null, "Analytical", GlobalRole.User)));

        var found = await Db.AsSystemAsync(s => users.FindByEmailAsync(s, email.ToUpperInvariant()), CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(created, found.User);
        Assert.Equal("$argon2id$hash", found.PasswordHash);
        Assert.Equal(("Ada Lovelace", GlobalRole.User, false), (found.User.FullName, found.User.GlobalRole, found.User.Disabled));
    }

    [Fact]
    public async Task A_user_cannot_create_accounts()
    {
        await Assert.ThrowsAsync<DataAccessDeniedException>(() =>
            Db.AsUserAsync(world.AdminA, s => users.CreateAsync(s, new NewUser(Email("nope"), "hash")), CancellationToken.None));
    }

    [Fact]
    public async Task Failed_logins_lock_the_account_at_the_limit_and_clearing_resets_it()
    {
        var user = await AsAdmin(s => users.CreateAsync(s, new NewUser(Email("lock"), "hash")));

        var states = new List<LoginFailureState?>();
        for (var i = 0; i < 3; i++)
        {
            states.Add(await Db.AsSystemAsync(s => users.RecordFailedLoginAsync(s, user.Id, 3, TimeSpan.FromMinutes(15)), CancellationToken.None));
        }
        await Db.AsSystemAsync(s => users.ClearLockoutAsync(s, user.Id), CancellationToken.None);
        var after = await Db.AsSystemAsync(s => users.FindByIdAsync(s, user.Id), CancellationToken.None);

        Assert.Equal([1, 2, 0], states.Select(s => s!.FailedLoginCount));
        Assert.Null(states[1]!.LockedUntil);
        Assert.InRange(states[2]!.LockedUntil!.Value, DateTime.UtcNow.AddMinutes(14), DateTime.UtcNow.AddMinutes(16));
        Assert.Equal((0, (DateTime?)null), (after!.FailedLoginCount, after.LockedUntil));
    }

    [Fact]
    public async Task A_user_edits_their_own_profile_but_not_someone_elses()
    {
        var own = await Db.AsUserAsync(world.ViewerA, s => users.UpdateProfileAsync(s, world.ViewerA,
            new UserProfileUpdate("viewer.a@example.test", "Vera Viewer", null, "Acme")), CancellationToken.None);
        var other = await Db.AsUserAsync(world.ViewerA, s => users.UpdateProfileAsync(s, world.AdminA,
            new UserProfileUpdate("admin.a@example.test", "Hacked", null, null)), CancellationToken.None);
        var read = await Db.AsUserAsync(world.ViewerA, s => users.FindByIdAsync(s, world.ViewerA), CancellationToken.None);

        Assert.True(own);
        Assert.False(other);
        Assert.Equal("Vera Viewer", read!.FullName);
    }

    [Fact]
    public async Task Tenant_admin_finds_an_account_by_address_to_add_it_and_a_viewer_does_not()
    {
        var byAdmin = await Db.AsUserAsync(world.AdminA, s => users.FindForMembershipAsync(s, "OUTSIDER@example.test"), CancellationToken.None);
        var byViewer = await Db.AsUserAsync(world.ViewerA, s => users.FindForMembershipAsync(s, "outsider@example.test"), CancellationToken.None);

        Assert.Equal(world.Outsider, byAdmin?.Id);
        Assert.Null(byViewer);
    }

    [Fact]
    public async Task Deleting_an_account_removes_its_memberships_grants_and_tokens_and_keeps_its_audit_history()
    {
        var email = Email("leaver");
        var user = await AsAdmin(s => users.CreateAsync(s, new NewUser(email, "hash")));
        var memberships = new MembershipStore();
        await Db.AsUserAsync(world.AdminA, async s =>
        {
            await memberships.AddAsync(s, world.TenantA, user.Id, TenantRole.Viewer);
            await new VmGrantStore().UpsertAsync(s, user.Id, world.TenantA, new VmAddress(world.ServerA, "qemu", 150), VmPermissions.View);
            return 0;
        }, CancellationToken.None);
        await Db.AsUserAsync(user.Id, async s =>
        {
            await new AuditLog().WriteAsync(s, new AuditEntry(world.TenantA, user.Id, "vm.console.open", AuditOutcome.Success, "vm", "150"));
            return 0;
        }, CancellationToken.None);
        await Db.AsSystemAsync(s => new RefreshTokenStore().CreateAsync(s,
            new NewRefreshToken(user.Id, Guid.NewGuid(), new byte[32], DateTime.UtcNow.AddDays(1), IPAddress.Loopback, "test")), CancellationToken.None);

        var deleted = await AsAdmin(s => users.DeleteAsync(s, user.Id));

        Assert.True(deleted);
        var remaining = await world.AsOwner<long>(
            """
            SELECT (SELECT count(*) FROM nexus.tenant_memberships WHERE user_id = @id)
                 + (SELECT count(*) FROM nexus.vm_grants WHERE user_id = @id)
                 + (SELECT count(*) FROM nexus.refresh_tokens WHERE user_id = @id)
            """, new { id = user.Id });
        Assert.Equal(0, remaining);
        Assert.Equal(email, await world.AsOwner<string>(
            "SELECT actor_email FROM nexus.audit_log WHERE action = 'vm.console.open' AND actor_id IS NULL AND actor_email = @email", new { email }));
    }

    [Fact]
    public async Task A_user_sets_their_own_password_hash_and_login_reads_the_new_one()
    {
        var email = Email("pw");
        var user = await AsAdmin(s => users.CreateAsync(s, new NewUser(email, "old-hash")));

        var own = await Db.AsUserAsync(user.Id, s => users.SetPasswordHashAsync(s, user.Id, "new-hash"), CancellationToken.None);
        var other = await Db.AsUserAsync(user.Id, s => users.SetPasswordHashAsync(s, world.ViewerB, "new-hash"), CancellationToken.None);
        var stored = await Db.AsSystemAsync(s => users.GetPasswordHashAsync(s, user.Id), CancellationToken.None);

        Assert.Equal((true, false, "new-hash"), (own, other, stored));
    }

    [Fact]
    public async Task A_global_admin_cannot_delete_their_own_account()
    {
        var deleted = await AsAdmin(s => users.DeleteAsync(s, world.GlobalAdmin));

        Assert.False(deleted);
    }

    [Fact]
    public async Task Refresh_tokens_rotate_within_a_family_and_a_family_is_revoked_at_once()
    {
        var family = Guid.NewGuid();
        var first = RandomHash();
        var second = RandomHash();
        var store = new RefreshTokenStore();

        var rotated = await Db.AsSystemAsync(async s =>
        {
            var issued = await store.CreateAsync(s, new NewRefreshToken(world.ViewerA, family, first, DateTime.UtcNow.AddDays(7), IPAddress.Parse("192.0.2.7"), "ua"));
            var found = await store.FindByHashForUpdateAsync(s, first);
            return (issued, await store.RotateAsync(s, found!.Id, new NewRefreshToken(world.ViewerA, family, second, DateTime.UtcNow.AddDays(7), null, null)));
        }, CancellationToken.None);
        var old = await Db.AsSystemAsync(s => store.FindByHashForUpdateAsync(s, first), CancellationToken.None);
        var revoked = await Db.AsSystemAsync(s => store.RevokeFamilyAsync(s, family), CancellationToken.None);
        var active = await Db.AsUserAsync(world.ViewerA, s => store.ListActiveForUserAsync(s, world.ViewerA), CancellationToken.None);

        Assert.NotNull(old!.RevokedAt);
        Assert.Equal(rotated.Item2.Id, old.ReplacedBy);
        Assert.Equal(1, revoked);
        Assert.DoesNotContain(active, t => t.FamilyId == family);
    }

    [Fact]
    public async Task Refresh_tokens_are_not_readable_by_another_user()
    {
        var store = new RefreshTokenStore();
        await Db.AsSystemAsync(s => store.CreateAsync(s,
            new NewRefreshToken(world.ViewerB, Guid.NewGuid(), RandomHash(), DateTime.UtcNow.AddDays(1), null, null)), CancellationToken.None);

        var seen = await Db.AsUserAsync(world.ViewerA, s => store.ListActiveForUserAsync(s, world.ViewerB), CancellationToken.None);

        Assert.Empty(seen);
    }

    private static byte[] RandomHash() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
}
