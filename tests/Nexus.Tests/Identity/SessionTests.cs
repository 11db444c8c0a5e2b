using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Nexus.Tests.Web;

namespace Nexus.Tests.Identity;

/// <summary>Sign-in, refresh-token rotation with reuse detection, sign-out, lockout and password changes, against a real host.</summary>
public sealed class SessionTests(SessionTests.World world) : IClassFixture<SessionTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "nexus-session-tests-" + Guid.NewGuid().ToString("N")[..8]);
        internal IdentityHost Host { get; private set; } = null!;

        public async Task InitializeAsync() =>
            // No signing key configured: the host generates one into its data folder.
            Host = await IdentityHost.StartAsync($"--Nexus:DataDirectory={DataDirectory}", "--Nexus:Auth:LockoutDuration=00:00:03", "--Nexus:Auth:PerIpPermitLimit=100000", "--Nexus:Auth:PerAccountPermitLimit=100000");

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Login_returns_an_access_token_the_profile_and_a_strict_http_only_secure_refresh_cookie()
    {
        var user = await world.Host.NewUserAsync("cookie");
        using var response = await world.Host.Http.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = user.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("accessToken").GetString()));
        Assert.True(body.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(14));
        Assert.Equal(user.Email, body.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal("user", body.GetProperty("user").GetProperty("globalRole").GetString());
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("nexus_refresh=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", cookie);
        Assert.Contains("secure", cookie);
        Assert.Contains("samesite=strict", cookie);
        Assert.Contains("path=/api/auth", cookie);
    }

    [Fact]
    public async Task Refresh_rotates_the_token_and_reusing_a_rotated_one_revokes_the_whole_family()
    {
        var user = await world.Host.NewUserAsync("rotation");
        var first = user.RefreshCookie!;

        using (var refreshed = await user.RefreshAsync())
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }
        var second = user.RefreshCookie!;
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);

        // An attacker replays the first (already rotated) token: refused, and the family is revoked...
        var thief = new ApiClient(world.Host.Http) { RefreshCookie = first };
        using (var replay = await thief.RefreshAsync())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        }
        // ...so the legitimate holder of the newest token must sign in again too.
        using (var legit = await user.RefreshAsync())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, legit.StatusCode);
        }
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM nexus.audit_log WHERE action = 'auth.refresh_reused' AND actor_id = @t", user.UserId));
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token_and_clears_the_cookie()
    {
        var user = await world.Host.NewUserAsync("logout");
        var token = user.RefreshCookie;

        using var logout = await user.SendAsync(HttpMethod.Post, "/api/auth/logout", (object?)null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Contains(logout.Headers.GetValues("Set-Cookie"), c => c.StartsWith("nexus_refresh=;", StringComparison.Ordinal));

        using var refresh = await new ApiClient(world.Host.Http) { RefreshCookie = token }.RefreshAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_with_a_clear_message_until_the_lockout_ends()
    {
        var user = await world.Host.NewUserAsync("lockout");
        var client = new ApiClient(world.Host.Http);
        for (var i = 0; i < 4; i++)
        {
            using var wrong = await client.LoginAsync(user.Email, "wrong-password");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var fifth = await client.LoginAsync(user.Email, "wrong-password"))
        {
            Assert.Equal(HttpStatusCode.Locked, fifth.StatusCode);
        }
        // Locked: even the right password is refused, and the answer says why and until when.
        using (var right = await client.LoginAsync(user.Email, user.Password))
        {
            Assert.Equal(HttpStatusCode.Locked, right.StatusCode);
            var problem = await right.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("locked until", problem.GetProperty("detail").GetString());
            Assert.True(problem.TryGetProperty("lockedUntil", out _));
        }
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM nexus.audit_log WHERE action = 'auth.locked_out' AND actor_id = @t AND tenant_id IS NULL", user.UserId));

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        using var after = await client.LoginAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_successful_login_resets_the_failure_count()
    {
        var user = await world.Host.NewUserAsync("reset");
        var client = new ApiClient(world.Host.Http);
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 4; i++)
            {
                (await client.LoginAsync(user.Email, "wrong-password")).Dispose();
            }
            using var right = await client.LoginAsync(user.Email, user.Password);
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }
    }

    [Fact]
    public async Task Login_failures_and_successes_are_audited_without_a_tenant()
    {
        var user = await world.Host.NewUserAsync("audited");
        (await new ApiClient(world.Host.Http).LoginAsync(user.Email, "wrong-password")).Dispose();

        Assert.Equal(1, await CountAsync("SELECT count(*) FROM nexus.audit_log WHERE action = 'auth.login_failed' AND actor_id = @t AND tenant_id IS NULL AND outcome = 'failure' AND client_ip IS NOT NULL", user.UserId));
        Assert.True(await CountAsync("SELECT count(*) FROM nexus.audit_log WHERE action = 'auth.login' AND actor_id = @t AND outcome = 'success'", user.UserId) >= 1);
    }

    [Fact]
    public async Task A_disabled_account_cannot_sign_in_and_its_refresh_token_stops_working()
    {
        var user = await world.Host.NewUserAsync("disabledlogin");
        await world.Host.Admin.CallAsync(HttpMethod.Patch, $"/api/users/{user.UserId}", new { disabled = true });

        using (var login = await new ApiClient(world.Host.Http).LoginAsync(user.Email, user.Password))
        {
            Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        }
        using (var refresh = await user.RefreshAsync())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }
        using var me = await user.SendAsync(HttpMethod.Get, "/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Changing_the_password_needs_the_current_one_and_ends_the_other_sessions()
    {
        var user = await world.Host.NewUserAsync("changer");
        var otherDevice = await ApiClient.SignInAsync(world.Host.Http, user.Email, user.Password);

        var wrong = await user.SendAsync(HttpMethod.Post, "/api/me/password", new { currentPassword = "nope-nope", newPassword = "brand-new-password" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var problem = await wrong.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("currentPassword", out _));

        var tooShort = await user.SendAsync(HttpMethod.Post, "/api/me/password", new { currentPassword = user.Password, newPassword = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);

        using (var changed = await user.SendAsync(HttpMethod.Post, "/api/me/password", new { currentPassword = user.Password, newPassword = "brand-new-password" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
            // This device gets a new session at once (its other tabs renew from it); its old access token is dead.
            var renewed = new ApiClient(world.Host.Http) { RefreshCookie = ApiClient.CookieFrom(changed) };
            Assert.False(string.IsNullOrEmpty(renewed.RefreshCookie));
            Assert.Equal(HttpStatusCode.OK, (await renewed.RefreshAsync()).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await renewed.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await otherDevice.RefreshAsync()).StatusCode);
        // The other device's access token (whoever holds it) is refused at once, not when it expires.
        Assert.Equal(HttpStatusCode.Unauthorized, (await otherDevice.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await new ApiClient(world.Host.Http).LoginAsync(user.Email, user.Password)).StatusCode);
        var again = await ApiClient.SignInAsync(world.Host.Http, user.Email, "brand-new-password");
        Assert.Equal(HttpStatusCode.OK, (await again.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_every_session_of_the_account_and_only_of_that_account()
    {
        var user = await world.Host.NewUserAsync("everywhere");
        var laptop = await ApiClient.SignInAsync(world.Host.Http, user.Email, user.Password);
        var phone = await ApiClient.SignInAsync(world.Host.Http, user.Email, user.Password);
        var bystander = await world.Host.NewUserAsync("bystander");
        using (var anonymous = await new ApiClient(world.Host.Http).SendAsync(HttpMethod.Post, "/api/me/sign-out-everywhere"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var ended = await laptop.SendAsync(HttpMethod.Post, "/api/me/sign-out-everywhere"))
        {
            Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
            // The browser is told to drop its refresh cookie.
            Assert.Contains(ended.Headers.GetValues("Set-Cookie"), c => c.StartsWith("nexus_refresh=;", StringComparison.Ordinal));
        }

        foreach (var device in new[] { laptop, phone, user })
        {
            using var refused = await device.SendAsync(HttpMethod.Get, "/api/me");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            // Says why, in the problem details and in the header a token client reads (RFC 6750).
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("session was ended", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, (await device.RefreshAsync()).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await bystander.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);

        // Signing in again works, with a token of the new generation.
        var back = await ApiClient.SignInAsync(world.Host.Http, user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, (await back.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM nexus.audit_log WHERE action = 'auth.signed_out_everywhere' AND actor_id = @t AND outcome = 'success'", user.UserId));
    }

    [Fact]
    public async Task Profile_edits_follow_the_prototype_limits_and_blank_clears_a_field()
    {
        var user = await world.Host.NewUserAsync("profile");

        var bad = await user.SendAsync(HttpMethod.Patch, "/api/me", new { username = "no spaces!", fullName = new string('x', 101) });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("username", out _));
        Assert.True(errors.TryGetProperty("fullName", out _));

        var me = await user.CallAsync(HttpMethod.Patch, "/api/me", new { username = $"user_{Guid.NewGuid():N}"[..20], company = "Acme", fullName = " " });
        Assert.Equal("Acme", me.GetProperty("company").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("fullName").ValueKind);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Without_a_configured_key_the_signing_key_is_generated_once_into_the_data_folder_owner_only()
    {
        var path = Path.Combine(world.DataDirectory, "secrets", "jwt-signing-key");
        Assert.True(File.Exists(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.True(Convert.FromBase64String(await File.ReadAllTextAsync(path)).Length >= 32);
        // Tokens signed with it work (the bootstrap admin signed in with one).
        Assert.Equal(HttpStatusCode.OK, (await world.Host.Admin.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        var forged = handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "nexus",
            Audience = "nexus",
            Claims = new Dictionary<string, object> { ["sub"] = world.Host.Admin.UserId.ToString() },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), "HS256"),
        });
        using var response = await new ApiClient(world.Host.Http) { AccessToken = forged }.SendAsync(HttpMethod.Get, "/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private Task<long> CountAsync(string sql, Guid id) => world.Host.CountRowsAsync(sql, id);
}
