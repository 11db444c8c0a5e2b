using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Nexus.Tests.Data;
using Nexus.Tests.Support;

namespace Nexus.Tests.Web;

/// <summary>
/// Calls a real Nexus host over HTTP as one signed-in user, the way the browser does: bearer access token, and
/// the refresh cookie sent back explicitly (it is Secure, so a CookieContainer would not send it over http).
/// </summary>
internal sealed class ApiClient(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string? AccessToken { get; set; }
    public string? RefreshCookie { get; set; }
    public Guid UserId { get; private set; }
    public string Email { get; set; } = "";
    public string Password { get; set; } = "";

    public static async Task<ApiClient> SignInAsync(HttpClient http, string email, string password)
    {
        var client = new ApiClient(http) { Email = email, Password = password };
        var response = await client.LoginAsync(email, password);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"sign-in of {email}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    public async Task<HttpResponseMessage> LoginAsync(string email, string password)
    {
        var response = await http.PostAsJsonAsync("/api/auth/login", new { email, password });
        await TakeTokensAsync(response);
        return response;
    }

    public async Task<HttpResponseMessage> RefreshAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/refresh");
        if (RefreshCookie is not null)
        {
            request.Headers.Add("Cookie", $"nexus_refresh={RefreshCookie}");
        }
        var response = await http.SendAsync(request);
        await TakeTokensAsync(response);
        return response;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null) =>
        SendAsync(method, path, body is null ? null : JsonContent.Create(body, options: Json));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (AccessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        }
        if (RefreshCookie is not null && path.StartsWith("/api/auth/", StringComparison.Ordinal))
        {
            request.Headers.Add("Cookie", $"nexus_refresh={RefreshCookie}");
        }
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await http.SendAsync(request);
    }

    /// <summary>Sends and expects <paramref name="expected"/>; returns the JSON body (or default).</summary>
    public async Task<JsonElement> CallAsync(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await SendAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string? CookieFrom(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).Where(v => v.StartsWith("nexus_refresh=", StringComparison.Ordinal))
                .Select(v => v["nexus_refresh=".Length..]).LastOrDefault()
            : null;

    private async Task TakeTokensAsync(HttpResponseMessage response)
    {
        if (CookieFrom(response) is { } cookie)
        {
            RefreshCookie = cookie.Length == 0 ? null : cookie;
        }
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
            AccessToken = body.GetProperty("accessToken").GetString();
            UserId = body.GetProperty("user").GetProperty("id").GetGuid();
        }
    }
}

/// <summary>A migrated database and one Nexus host on it, with a configured bootstrap admin signed in.</summary>
internal sealed class IdentityHost : IAsyncDisposable
{
    public const string AdminEmail = "root@nexus.test";
    public const string AdminPassword = "root-password-1";

    private IdentityHost(NexusTestHost host, string connectionString, ApiClient admin)
    {
        Host = host;
        ConnectionString = connectionString;
        Admin = admin;
    }

    public NexusTestHost Host { get; }
    public string ConnectionString { get; }
    public ApiClient Admin { get; }
    public HttpClient Http => Host.Http;

    public static async Task<IdentityHost> StartAsync(params string[] extraArgs)
    {
        var database = new DatabaseFixture();
        await database.InitializeAsync();
        var host = await NexusTestHost.StartAsync(database.ConnectionString, "identity-" + Guid.NewGuid().ToString("N")[..8],
        [
            $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}",
            $"--Nexus:Auth:BootstrapAdminPassword={AdminPassword}",
            .. extraArgs.Any(a => a.StartsWith("--Nexus:Auth:SigningKey=", StringComparison.Ordinal) || a.StartsWith("--Nexus:DataDirectory=", StringComparison.Ordinal))
                ? Array.Empty<string>()
                : [$"--Nexus:Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}"],
            .. extraArgs,
        ]);
        var admin = await ApiClient.SignInAsync(host.Http, AdminEmail, AdminPassword);
        return new IdentityHost(host, database.ConnectionString, admin);
    }

    public ApiClient Anonymous() => new(Http);

    /// <summary>Creates an account through the API as the bootstrap admin and signs it in.</summary>
    public async Task<ApiClient> NewUserAsync(string name, string? password = null)
    {
        var email = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)] + "@nexus.test";
        password ??= "password-" + name;
        await Admin.CallAsync(HttpMethod.Post, "/api/users", new { email, password, fullName = name }, HttpStatusCode.Created);
        var client = await ApiClient.SignInAsync(Http, email, password);
        client.Email = email;
        client.Password = password;
        return client;
    }

    public async Task<Guid> NewTenantAsync(string name)
    {
        var tenant = await Admin.CallAsync(HttpMethod.Post, "/api/tenants", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)] }, HttpStatusCode.Created);
        return tenant.GetProperty("id").GetGuid();
    }

    public Task AddMemberAsync(Guid tenantId, Guid userId, string role) =>
        Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenantId}/members/{userId}", new { role }, HttpStatusCode.Created);

    /// <summary>
    /// A Proxmox server row for the tenant, written as the database owner: the server endpoints are a later
    /// capability, and VM grants only need the row to exist.
    /// </summary>
    public async Task<Guid> NewServerAsync(Guid tenantId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "INSERT INTO nexus.servers (tenant_id, name, host, token_ciphertext, token_key_id) VALUES (@t, 'pve', @h, '\\x00', 'test') RETURNING id",
            connection);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("h", $"pve-{Guid.NewGuid():N}.test");
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    public async Task<long> CountRowsAsync(string sql, Guid tenantId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("t", tenantId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
