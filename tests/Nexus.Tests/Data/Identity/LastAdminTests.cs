using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Contracts.Identity;
using Nexus.Data;
using Nexus.Data.Access;
using Nexus.Data.Identity;
using Npgsql;

namespace Nexus.Tests.Data.Identity;

/// <summary>A database of its own: these tests count the installation's admins.</summary>
public sealed class LastAdminTests : IAsyncLifetime
{
    private readonly DatabaseFixture database = new();
    private readonly UserStore users = new();
    private NexusDatabase db = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        db = new NexusDatabase(await DatabaseRoles.PrepareAsync(database.ConnectionString, new NexusDatabaseOptions(), NullLogger.Instance, CancellationToken.None));
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task The_last_active_global_admin_cannot_be_demoted_disabled_or_deleted()
    {
        var admin = await db.AsSystemAsync(s => users.CreateAsync(s, new NewUser("first@example.test", "hash", GlobalRole: GlobalRole.Admin)), CancellationToken.None);

        var demote = await Assert.ThrowsAsync<ConstraintViolationException>(() =>
            db.AsSystemAsync(s => users.SetGlobalRoleAsync(s, admin.Id, GlobalRole.User), CancellationToken.None));
        await Assert.ThrowsAsync<ConstraintViolationException>(() =>
            db.AsSystemAsync(s => users.SetDisabledAsync(s, admin.Id, true), CancellationToken.None));
        await Assert.ThrowsAsync<ConstraintViolationException>(() =>
            db.AsSystemAsync(s => users.DeleteAsync(s, admin.Id), CancellationToken.None));

        Assert.Equal("users_last_admin", demote.Constraint);
        Assert.True(await db.AsSystemAsync(s => users.AnyActiveAdminAsync(s), CancellationToken.None));
    }

    [Fact]
    public async Task A_global_admin_promotes_and_demotes_another_user()
    {
        var admin = await db.AsSystemAsync(s => users.CreateAsync(s, new NewUser("boss@example.test", "hash", GlobalRole: GlobalRole.Admin)), CancellationToken.None);
        var other = await db.AsUserAsync(admin.Id, s => users.CreateAsync(s, new NewUser("deputy@example.test", "hash")), CancellationToken.None);

        var promoted = await db.AsUserAsync(admin.Id, s => users.SetGlobalRoleAsync(s, other.Id, GlobalRole.Admin), CancellationToken.None);
        var seenAsAdmin = await db.AsUserAsync(other.Id, s => users.ListAsync(s, "boss", 0, 10), CancellationToken.None);
        var demoted = await db.AsUserAsync(other.Id, s => users.SetGlobalRoleAsync(s, admin.Id, GlobalRole.User), CancellationToken.None);

        Assert.True(promoted);
        Assert.Equal("boss@example.test", Assert.Single(seenAsAdmin).Email);
        Assert.True(demoted);
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_one_admin()
    {
        var a = await db.AsSystemAsync(s => users.CreateAsync(s, new NewUser("a@example.test", "hash", GlobalRole: GlobalRole.Admin)), CancellationToken.None);
        var b = await db.AsSystemAsync(s => users.CreateAsync(s, new NewUser("b@example.test", "hash", GlobalRole: GlobalRole.Admin)), CancellationToken.None);
        await using (var owner = new NpgsqlConnection(database.ConnectionString))
        {
            // Only these two are admins here.
            await owner.ExecuteAsync("UPDATE nexus.users SET global_role = 'user' WHERE id NOT IN (@A, @B)", new { A = a.Id, B = b.Id });
        }

        var results = await Task.WhenAll(
            Attempt(() => db.AsUserAsync(a.Id, s => users.SetGlobalRoleAsync(s, b.Id, GlobalRole.User), CancellationToken.None)),
            Attempt(() => db.AsUserAsync(b.Id, s => users.SetGlobalRoleAsync(s, a.Id, GlobalRole.User), CancellationToken.None)));

        await using var check = new NpgsqlConnection(database.ConnectionString);
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM nexus.users WHERE global_role = 'admin' AND NOT disabled"));
        Assert.Single(results, ok => ok);
    }

    private static async Task<bool> Attempt(Func<Task<bool>> change)
    {
        try
        {
            return await change();
        }
        catch (Exception ex) when (ex is ConstraintViolationException or DataAccessDeniedException)
        {
            return false;
        }
    }
}
