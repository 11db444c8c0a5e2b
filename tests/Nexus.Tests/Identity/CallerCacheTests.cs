using System.Net;
using Nexus.Contracts.Identity;
using Nexus.Host.Identity;
using Nexus.Host.Web;
using Nexus.Tests.Web;

namespace Nexus.Tests.Identity;

/// <summary>
/// The account behind an access token is cached for two seconds per silo; every change to it through the API is
/// seen by the very next request, and a change racing with a read never leaves the old account in the cache.
/// </summary>
public sealed class CallerCacheTests(CallerCacheTests.World world) : IClassFixture<CallerCacheTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal IdentityHost Host { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Host = await IdentityHost.StartAsync("--Nexus:Auth:PerIpPermitLimit=100000", "--Nexus:Auth:PerAccountPermitLimit=100000");

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private IdentityHost Host => world.Host;

    [Fact]
    public async Task A_disabled_account_is_refused_on_the_very_next_request_and_accepted_again_once_enabled()
    {
        // Disabling ends the account's sessions: once enabled again it signs in anew, and the old token stays dead.
        var user = await Host.NewUserAsync("disablednext");
        await MeTwiceAsync(user);

        await Host.Admin.CallAsync(HttpMethod.Patch, $"/api/users/{user.UserId}", new { disabled = true });
        using (var refused = await user.SendAsync(HttpMethod.Get, "/api/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await Host.Admin.CallAsync(HttpMethod.Patch, $"/api/users/{user.UserId}", new { disabled = false });
        var signedInAgain = await ApiClient.SignInAsync(Host.Http, user.Email, user.Password);
        using (var accepted = await signedInAgain.SendAsync(HttpMethod.Get, "/api/me"))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        using var old = await user.SendAsync(HttpMethod.Get, "/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
    }

    [Fact]
    public async Task A_deleted_account_is_refused_on_the_very_next_request()
    {
        var user = await Host.NewUserAsync("deletednext");
        await MeTwiceAsync(user);

        await Host.Admin.CallAsync(HttpMethod.Delete, $"/api/users/{user.UserId}", expected: HttpStatusCode.NoContent);

        using var refused = await user.SendAsync(HttpMethod.Get, "/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_demoted_global_admin_loses_the_user_administration_on_the_very_next_request()
    {
        var user = await Host.NewUserAsync("demotednext");
        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/users/{user.UserId}/role", new { role = "admin" });
        await user.CallAsync(HttpMethod.Get, "/api/users");
        await user.CallAsync(HttpMethod.Get, "/api/users");

        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/users/{user.UserId}/role", new { role = "user" });

        using var refused = await user.SendAsync(HttpMethod.Get, "/api/users");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_read_that_races_with_an_invalidation_is_not_kept()
    {
        var cache = new CallerCache(TimeProvider.System);
        var id = Guid.NewGuid();
        var before = new CurrentUser(id, "race@nexus.test", GlobalRole.Admin, 0);
        var after = new CurrentUser(id, "race@nexus.test", GlobalRole.User, 0);
        var reading = new TaskCompletionSource<CurrentUser?>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The read started before the change was committed and answers the old row after the invalidation.
        var stale = cache.GetAsync(id, () => reading.Task);
        cache.Invalidate(id);
        reading.SetResult(before);
        Assert.Same(before, await stale);

        Assert.Same(after, await cache.GetAsync(id, () => Task.FromResult<CurrentUser?>(after)));
    }

    [Fact]
    public async Task An_account_is_read_again_once_two_seconds_have_passed()
    {
        var clock = new ManualClock();
        var cache = new CallerCache(clock);
        var id = Guid.NewGuid();
        var reads = 0;
        Task<CurrentUser?> Read()
        {
            reads++;
            return Task.FromResult<CurrentUser?>(new CurrentUser(id, "ttl@nexus.test", GlobalRole.User, 0));
        }

        await cache.GetAsync(id, Read);
        clock.Advance(CallerCache.MaxAge - TimeSpan.FromMilliseconds(1));
        await cache.GetAsync(id, Read);
        Assert.Equal(1, reads);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await cache.GetAsync(id, Read);
        Assert.Equal(2, reads);
    }

    private static async Task MeTwiceAsync(ApiClient user)
    {
        // Twice: the second answer comes from the cache, which the change must then reach.
        await user.CallAsync(HttpMethod.Get, "/api/me");
        await user.CallAsync(HttpMethod.Get, "/api/me");
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
