using System.Globalization;
using System.Net;
using Nexus.Tests.Web;

namespace Nexus.Tests.Identity;

/// <summary>Sign-in throttling per account and per client address: 429 with Retry-After.</summary>
public sealed class LoginThrottlingTests : IAsyncLifetime
{
    private IdentityHost _host = null!;

    // Per address: 8 per minute (the fixture's own admin sign-in takes one). Per account: 3 per minute.
    public async Task InitializeAsync() => _host = await IdentityHost.StartAsync(
        "--Nexus:Auth:PerIpPermitLimit=8", "--Nexus:Auth:PerAccountPermitLimit=3", "--Nexus:Auth:ThrottleWindow=00:01:00", "--Nexus:Auth:LockoutThreshold=50");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Too_many_attempts_on_one_account_and_then_from_one_address_are_429_with_Retry_After()
    {
        var client = _host.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            using var attempt = await client.LoginAsync("target@nexus.test", "guess-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        }
        using (var fourth = await client.LoginAsync("TARGET@nexus.test", "guess-4"))
        {
            Assert.Equal((HttpStatusCode)429, fourth.StatusCode);
            AssertRetryAfter(fourth);
            Assert.Equal("application/problem+json", fourth.Content.Headers.ContentType?.MediaType);
        }

        // Other accounts from the same address: allowed until the address's budget (8, one used by the admin) runs out.
        for (var i = 0; i < 3; i++)
        {
            using var attempt = await client.LoginAsync($"other{i}@nexus.test", "guess");
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        }
        using var blocked = await client.LoginAsync("fresh@nexus.test", "guess");
        Assert.Equal((HttpStatusCode)429, blocked.StatusCode);
        AssertRetryAfter(blocked);
    }

    private static void AssertRetryAfter(HttpResponseMessage response)
    {
        var value = Assert.Single(response.Headers.GetValues("Retry-After"));
        var seconds = int.Parse(value, CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 60);
    }
}
