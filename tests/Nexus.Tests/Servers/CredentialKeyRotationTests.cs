using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Grains.Servers;
using Nexus.Host.Startup;

namespace Nexus.Tests.Servers;

/// <summary>The <c>rotate-keys</c> verb against a real database: afterwards the old key can go.</summary>
public sealed class CredentialKeyRotationTests : IAsyncLifetime
{
    private readonly string _oldKey = ServerTestWorld.NewKey();
    private readonly string _newKey = ServerTestWorld.NewKey();
    private ServerTestWorld _world = null!;

    public async Task InitializeAsync() => _world = await ServerTestWorld.StartAsync(simulator: true, $"--Nexus:Credentials:Keys:old={_oldKey}");

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Rotation_re_encrypts_every_token_with_the_active_key_so_the_old_key_can_be_removed()
    {
        var tenant = await _world.NewTenantAsync("Rotate");
        var first = await _world.AddServerAsync(_world.Admin, tenant, _world.PinnedServer("first"));
        await _world.AddServerAsync(_world.Admin, tenant, _world.PinnedServer("second", port: 12001));
        await _world.StopHostAsync();

        string[] args =
        [
            $"--Nexus:Database:ConnectionString={_world.ConnectionString}",
            $"--Nexus:Credentials:Keys:old={_oldKey}",
            $"--Nexus:Credentials:Keys:new={_newKey}",
            "--Nexus:Credentials:ActiveKeyId=new",
        ];
        using var output = new StringWriter();
        Assert.Equal(0, await Verbs.RotateKeysAsync(args, output));
        Assert.Contains("re-encrypted 2 server credential(s), 0 already current, 0 failed", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_world.Endpoint().Token.Split('=', 2)[1], output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0L, await _world.ScalarAsync<long>("SELECT count(*) FROM nexus.servers WHERE token_key_id <> 'new'"));

        using var again = new StringWriter();
        Assert.Equal(0, await Verbs.RotateKeysAsync(args, again));
        Assert.Contains("re-encrypted 0 server credential(s), 2 already current", again.ToString(), StringComparison.Ordinal);

        // Without the old key, everything still opens.
        await _world.StartHostAsync($"--Nexus:Credentials:Keys:new={_newKey}");
        var report = await _world.Admin.CallAsync(HttpMethod.Post, $"/api/servers/{first}/test");
        Assert.True(report.GetProperty("success").GetBoolean(), ServerTestWorld.Text(report));
        var config = await _world.Services.GetRequiredService<IServerConfigSource>().LoadAsync(first, CancellationToken.None);
        Assert.Equal("root@pam!nexus", config!.Proxmox.Token.TokenId);

        // With only the old key, the test says which key is missing instead of failing obscurely.
        await _world.StartHostAsync($"--Nexus:Credentials:Keys:old={_oldKey}");
        using var missing = await _world.Admin.SendAsync(HttpMethod.Post, $"/api/servers/{first}/test");
        Assert.Equal(HttpStatusCode.Conflict, missing.StatusCode);
        Assert.Contains("'new'", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
