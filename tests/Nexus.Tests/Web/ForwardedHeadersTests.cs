using System.Net.Http.Json;
using Npgsql;
using Nexus.Tests.Data;
using Nexus.Tests.Support;

namespace Nexus.Tests.Web;

/// <summary>The client address that audit rows record comes from X-Forwarded-For only when a trusted proxy sent it.</summary>
public sealed class ForwardedHeadersTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private const string Email = "forwarded-admin@nexus.test";
    private const string Password = "forwarded-password-1";

    [Fact]
    public async Task A_trusted_proxy_s_forwarded_address_is_what_the_audit_log_records()
    {
        await using var host = await StartAsync();
        await LoginAsync(host, forwardedFor: "203.0.113.7");
        Assert.Equal("203.0.113.7", await LastLoginAddressAsync());
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_peer_are_ignored()
    {
        await using var host = await StartAsync("--Nexus:Network:TrustedProxies:0=10.9.9.9");
        await LoginAsync(host, forwardedFor: "198.51.100.9");
        Assert.Equal("127.0.0.1", await LastLoginAddressAsync());
    }

    [Fact]
    public async Task A_trusted_proxy_that_is_not_an_address_stops_start_up_naming_the_setting()
    {
        var failure = await Assert.ThrowsAsync<Nexus.Data.NexusStartupException>(() => StartAsync("--Nexus:Network:TrustedNetworks:0=not-a-network"));
        Assert.Contains("Nexus:Network:TrustedNetworks", failure.Message);
    }

    private Task<NexusTestHost> StartAsync(params string[] extra) =>
        NexusTestHost.StartAsync(database.ConnectionString, "fwd-" + Guid.NewGuid().ToString("N")[..8],
            [$"--Nexus:Auth:BootstrapAdminEmail={Email}", $"--Nexus:Auth:BootstrapAdminPassword={Password}", .. extra]);

    private static async Task LoginAsync(NexusTestHost host, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { email = Email, password = Password }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await host.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private async Task<string?> LastLoginAddressAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT host(client_ip) FROM nexus.audit_log WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1", connection);
        return (string?)await command.ExecuteScalarAsync();
    }
}
