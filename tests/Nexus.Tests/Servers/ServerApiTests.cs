using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Nexus.Tests.Web;

namespace Nexus.Tests.Servers;

/// <summary>Registering Proxmox servers through the API, against a real host, database and simulator over HTTPS.</summary>
public sealed class ServerApiTests(ServerApiTests.World world) : IClassFixture<ServerApiTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal ServerTestWorld Host { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Host = await ServerTestWorld.StartAsync(simulator: true, "--Nexus:Credentials:Keys:k1=" + ServerTestWorld.NewKey());

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private ServerTestWorld Host => world.Host;

    private string Secret => Host.Endpoint().Token.Split('=', 2)[1];

    [Fact]
    public async Task A_manager_pins_the_probed_certificate_and_the_token_is_never_answered_nor_logged()
    {
        var tenant = await Host.NewTenantAsync("Probe");
        var manager = await Host.NewUserAsync("manager");
        await Host.AddMemberAsync(tenant, manager.UserId, "manager");
        var (host, port, token, fingerprint) = Host.Endpoint();

        var probe = await manager.CallAsync(HttpMethod.Post, "/api/servers/probe-certificate", new { host, port });
        var leaf = probe.GetProperty("leaf");
        Assert.Equal(fingerprint, leaf.GetProperty("fingerprint").GetString());
        Assert.False(string.IsNullOrEmpty(leaf.GetProperty("subject").GetString()));
        Assert.False(probe.GetProperty("trustedBySystem").GetBoolean());

        var created = await manager.CallAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers", new
        {
            name = "pve-main",
            host,
            port,
            apiToken = token,
            trust = new { mode = "pinned", fingerprints = new[] { leaf.GetProperty("fingerprint").GetString()!.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant() } },
        }, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("root@pam!nexus", created.GetProperty("tokenId").GetString());
        Assert.Equal("pinned", created.GetProperty("trust").GetProperty("mode").GetString());
        Assert.Equal(fingerprint, created.GetProperty("trust").GetProperty("fingerprints")[0].GetString());
        Assert.False(created.TryGetProperty("apiToken", out _));

        var answers = new[]
        {
            ServerTestWorld.Text(created),
            ServerTestWorld.Text(await manager.CallAsync(HttpMethod.Get, $"/api/servers/{id}")),
            ServerTestWorld.Text(await manager.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/servers")),
            ServerTestWorld.Text(await manager.CallAsync(HttpMethod.Patch, $"/api/servers/{id}", new { name = "pve-renamed", apiToken = token })),
            ServerTestWorld.Text(await manager.CallAsync(HttpMethod.Post, $"/api/servers/{id}/test")),
            ServerTestWorld.Text(await Host.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/audit")),
        };
        foreach (var answer in answers)
        {
            Assert.DoesNotContain(Secret, answer, StringComparison.Ordinal);
        }
        Assert.NotEmpty(Host.Logs.Lines);
        Assert.DoesNotContain(Host.Logs.Lines, line => line.Contains(Secret, StringComparison.Ordinal));

        // Stored sealed: the secret is not in the row, and the row names the key.
        var ciphertext = await Host.ScalarAsync<byte[]>("SELECT token_ciphertext FROM nexus.servers WHERE id = @id", ("id", id));
        Assert.DoesNotContain(Secret, Encoding.UTF8.GetString(ciphertext), StringComparison.Ordinal);
        Assert.Equal("k1", await Host.ScalarAsync<string>("SELECT token_key_id FROM nexus.servers WHERE id = @id", ("id", id)));

        var audit = await Host.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/audit");
        var text = ServerTestWorld.Text(audit);
        Assert.Contains("server.added", text, StringComparison.Ordinal);
        Assert.Contains("server.updated", text, StringComparison.Ordinal);
        Assert.Contains("server.tested", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admins_and_managers_add_and_edit_viewers_read_only_admins_delete_and_others_see_nothing()
    {
        var tenant = await Host.NewTenantAsync("Roles");
        var admin = await Host.NewUserAsync("tadmin");
        var manager = await Host.NewUserAsync("tmanager");
        var viewer = await Host.NewUserAsync("tviewer");
        var outsider = await Host.NewUserAsync("outsider");
        await Host.AddMemberAsync(tenant, admin.UserId, "admin");
        await Host.AddMemberAsync(tenant, manager.UserId, "manager");
        await Host.AddMemberAsync(tenant, viewer.UserId, "viewer");
        await Host.AddMemberAsync(await Host.NewTenantAsync("Elsewhere"), outsider.UserId, "admin");

        var byAdmin = await Host.AddServerAsync(admin, tenant, Host.PinnedServer("by-admin", port: 10001));
        var byManager = await Host.AddServerAsync(manager, tenant, Host.PinnedServer("by-manager", port: 10002));
        await viewer.CallAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers", Host.PinnedServer("by-viewer", port: 10003), HttpStatusCode.Forbidden);

        var listed = await viewer.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/servers");
        Assert.Equal(new[] { "by-admin", "by-manager" }, listed.EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToArray());
        await viewer.CallAsync(HttpMethod.Get, $"/api/servers/{byAdmin}");
        await viewer.CallAsync(HttpMethod.Patch, $"/api/servers/{byAdmin}", new { name = "nope" }, HttpStatusCode.Forbidden);
        await viewer.CallAsync(HttpMethod.Post, $"/api/servers/{byAdmin}/test", null, HttpStatusCode.Forbidden);

        var patched = await manager.CallAsync(HttpMethod.Patch, $"/api/servers/{byAdmin}", new { name = "renamed", connectionTimeoutMs = 15000 });
        Assert.Equal("renamed", patched.GetProperty("name").GetString());
        Assert.Equal(15000, patched.GetProperty("connectionTimeoutMs").GetInt32());
        var tokenBefore = await Host.ScalarAsync<byte[]>("SELECT token_ciphertext FROM nexus.servers WHERE id = @id", ("id", byAdmin));
        await manager.CallAsync(HttpMethod.Patch, $"/api/servers/{byAdmin}", new { apiToken = "", connectionTimeoutMs = 0 });
        Assert.Equal(tokenBefore, await Host.ScalarAsync<byte[]>("SELECT token_ciphertext FROM nexus.servers WHERE id = @id", ("id", byAdmin)));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await viewer.CallAsync(HttpMethod.Get, $"/api/servers/{byAdmin}")).GetProperty("connectionTimeoutMs").ValueKind);
        await manager.CallAsync(HttpMethod.Delete, $"/api/servers/{byManager}", null, HttpStatusCode.Forbidden);

        foreach (var path in new[] { $"/api/servers/{byAdmin}", $"/api/tenants/{tenant}/servers" })
        {
            await outsider.CallAsync(HttpMethod.Get, path, null, HttpStatusCode.NotFound);
        }
        await outsider.CallAsync(HttpMethod.Patch, $"/api/servers/{byAdmin}", new { name = "x" }, HttpStatusCode.NotFound);
        await outsider.CallAsync(HttpMethod.Delete, $"/api/servers/{byAdmin}", null, HttpStatusCode.NotFound);
        await outsider.CallAsync(HttpMethod.Post, $"/api/servers/{byAdmin}/test", null, HttpStatusCode.NotFound);
        await new ApiClient(Host.Http).CallAsync(HttpMethod.Get, $"/api/servers/{byAdmin}", null, HttpStatusCode.Unauthorized);
        await new ApiClient(Host.Http).CallAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers", Host.PinnedServer("anon"), HttpStatusCode.Unauthorized);

        await admin.CallAsync(HttpMethod.Delete, $"/api/servers/{byManager}", null, HttpStatusCode.NoContent);
        await admin.CallAsync(HttpMethod.Get, $"/api/servers/{byManager}", null, HttpStatusCode.NotFound);
        Assert.Contains("server.deleted", ServerTestWorld.Text(await admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/audit")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_token_a_missing_trust_choice_and_a_bad_host_are_field_errors_and_a_duplicate_is_409()
    {
        var tenant = await Host.NewTenantAsync("Valid");
        var (host, port, _, fingerprint) = Host.Endpoint();
        using var bad = await Host.Admin.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers",
            new { name = "x", host = "https://pve:8006/", port = 70000, apiToken = "root@pam:nexus:" + Secret });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var body = await bad.Content.ReadAsStringAsync();
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        foreach (var field in new[] { "apiToken", "trust", "host", "port" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);

        using var badPin = await Host.Admin.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers",
            new { name = "x", host, port, apiToken = Host.Endpoint().Token, trust = new { mode = "pinned", fingerprints = new[] { "AB:CD" } } });
        Assert.Equal(HttpStatusCode.BadRequest, badPin.StatusCode);
        Assert.True((await badPin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("trust.fingerprints", out _));

        await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("first"));
        using var duplicate = await Host.Admin.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers", Host.PinnedServer("second"));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Contains($"{host}:{port}", await duplicate.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The same endpoint in another tenant is fine; moving a server onto a taken endpoint is not.
        await Host.AddServerAsync(Host.Admin, await Host.NewTenantAsync("Other"), Host.PinnedServer("same-endpoint"));
        var other = await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("third", port: 10009, fingerprint: fingerprint));
        await Host.Admin.CallAsync(HttpMethod.Patch, $"/api/servers/{other}", new { port }, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_quota_refuses_the_server_past_the_tenants_limit()
    {
        var tenant = await Host.NewTenantAsync("Quota");
        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new { serverQuota = 2 });
        await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("one", port: 11001));
        await Host.AddServerAsync(Host.Admin, tenant, Host.PinnedServer("two", port: 11002));
        using var full = await Host.Admin.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers", Host.PinnedServer("three", port: 11003));
        Assert.Equal(HttpStatusCode.Conflict, full.StatusCode);
        Assert.Contains("2 of 2", await full.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_csv_import_adds_the_good_rows_and_reports_each_bad_row_with_its_line()
    {
        var tenant = await Host.NewTenantAsync("Csv");
        await Host.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{tenant}/settings", new { serverQuota = 3 });
        var (host, port, token, fingerprint) = Host.Endpoint();
        var csv = new StringBuilder()
            .Append("name,host,port,api_token,verify_ssl,use_tailscale,tailscale_hostname,tailscale_port,connection_timeout,fingerprint,notes\n")
            .Append(FormattableString.Invariant($"\"Main, pinned\",{host},{port},{token},false,true,pve.tail1234.ts.net,8443,30,{fingerprint},\"multi\nline\"\n"))
            .Append(FormattableString.Invariant($"public,{host},{port + 1},{token},true,,,,,,\n"))
            .Append(FormattableString.Invariant($"insecure,{host},{port + 2},{token},false,,,,,,\n"))
            .Append(FormattableString.Invariant($"badtoken,{host},{port + 3},not-a-token,,,,,,{fingerprint},\n"))
            .Append(FormattableString.Invariant($"short,{host}\n"))
            .Append(FormattableString.Invariant($"dup,{host},{port},{token},,,,,,{fingerprint},\n"))
            .Append(FormattableString.Invariant($"third,{host},{port + 4},{token},,,,,,{fingerprint},\n"))
            .Append(FormattableString.Invariant($"over-quota,{host},{port + 5},{token},,,,,,{fingerprint},\n"))
            .ToString();
        using var response = await Host.Admin.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        var result = JsonDocument.Parse(text).RootElement;
        Assert.Equal(3, result.GetProperty("created").GetInt32());
        Assert.Equal(5, result.GetProperty("failed").GetInt32());
        Assert.Equal(new[] { "notes" }, result.GetProperty("ignoredColumns").EnumerateArray().Select(c => c.GetString()).ToArray());
        var rows = result.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("row").GetInt32());
        string Status(int row) => rows[row].GetProperty("status").GetString()!;
        string Error(int row) => rows[row].GetProperty("error").GetString()!;

        Assert.Equal("created", Status(2));
        Assert.Equal("created", Status(4));
        Assert.Equal("failed", Status(5));
        Assert.Contains("probe-certificate", Error(5), StringComparison.Ordinal);
        Assert.Contains("api_token", Error(6), StringComparison.Ordinal);
        Assert.Contains("number of fields", Error(7), StringComparison.Ordinal);
        Assert.Contains("already has a server", Error(8), StringComparison.Ordinal);
        Assert.Equal("created", Status(9));
        Assert.Contains("quota", Error(10), StringComparison.Ordinal);

        var main = await Host.Admin.CallAsync(HttpMethod.Get, $"/api/servers/{rows[2].GetProperty("serverId").GetGuid()}");
        Assert.Equal("Main, pinned", main.GetProperty("name").GetString());
        Assert.Equal("pve.tail1234.ts.net", main.GetProperty("secondaryHost").GetString());
        Assert.Equal(8443, main.GetProperty("secondaryPort").GetInt32());
        Assert.Equal(30000, main.GetProperty("connectionTimeoutMs").GetInt32());
        Assert.Equal("pinned", main.GetProperty("trust").GetProperty("mode").GetString());
        var open = await Host.Admin.CallAsync(HttpMethod.Get, $"/api/servers/{rows[4].GetProperty("serverId").GetGuid()}");
        Assert.Equal("system", open.GetProperty("trust").GetProperty("mode").GetString());
        Assert.Contains("server.imported", ServerTestWorld.Text(await Host.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{tenant}/audit")), StringComparison.Ordinal);

        // The same file as a browser's form upload.
        var formTenant = await Host.NewTenantAsync("CsvForm");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(FormattableString.Invariant($"name,host,port,api_token,fingerprint\nform,{host},{port},{token},{fingerprint}\n")), "file", "servers.csv" },
        };
        using var uploaded = await Host.Admin.SendAsync(HttpMethod.Post, $"/api/tenants/{formTenant}/servers/import", form);
        var uploadedText = await uploaded.Content.ReadAsStringAsync();
        Assert.True(uploaded.StatusCode == HttpStatusCode.OK, uploadedText);
        Assert.Equal(1, JsonDocument.Parse(uploadedText).RootElement.GetProperty("created").GetInt32());

        using var noColumns = await Host.Admin.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers/import", new StringContent("name,port\nx,1\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, noColumns.StatusCode);
        Assert.Contains("api_token", await noColumns.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var huge = await Host.Admin.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/servers/import",
            new StringContent("name,host,api_token\n" + new string('x', 1024 * 1024), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }
}
