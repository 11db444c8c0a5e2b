using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nexus.Host.Vms;
using Nexus.Simulator.Clusters;
using Nexus.Tests.Grains;
using Nexus.Tests.Support;
using Nexus.Tests.Web;

namespace Nexus.Tests.Vms;

/// <summary>The VM listings and tenant stats, served from the server grains' snapshots.</summary>
public sealed class VmListingTests(VmListingTests.World world) : IClassFixture<VmListingTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal GrainWorld Grains { get; private set; } = null!;
        internal Guid Tenant { get; private set; }
        internal Guid Server { get; private set; }
        internal Guid SecondServer { get; private set; }

        public async Task InitializeAsync()
        {
            Grains = await GrainWorld.StartAsync(clusters: 2, guests: 30, nodes: 3);
            Tenant = await Grains.NewTenantAsync("Listing");
            Server = await Grains.AddServerAsync(Tenant, Grains.Simulator.Clusters[0]);
            SecondServer = await Grains.AddServerAsync(Tenant, Grains.Simulator.Clusters[1]);
        }

        public async Task DisposeAsync() => await Grains.DisposeAsync();
    }

    private GrainWorld W => world.Grains;
    private IEnumerable<GuestInfo> AllGuests => W.Simulator.Clusters.SelectMany(c => c.Guests);

    [Fact]
    public async Task A_grant_only_user_lists_exactly_the_granted_vms_with_their_permissions()
    {
        var user = await W.NewUserAsync("grantee");
        var cluster = W.Simulator.Clusters[0];
        var first = cluster.Guests.First(g => g.Type == "qemu");
        var second = cluster.Guests.First(g => g.Type == "lxc");
        await Grant(user.UserId, world.Server, first, "start");
        await Grant(user.UserId, world.Server, second, "console");

        var page = await user.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms?sort=vmid");
        var rows = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        Assert.Equal(new[] { first.Vmid, second.Vmid }.Order(), rows.Select(r => r.GetProperty("vmId").GetInt32()));
        Assert.Equal(["view", "start"], Permissions(rows.Single(r => r.GetProperty("vmId").GetInt32() == first.Vmid)));
        Assert.Equal(["view", "console"], Permissions(rows.Single(r => r.GetProperty("vmId").GetInt32() == second.Vmid)));

        var everywhere = await user.CallAsync(HttpMethod.Get, "/api/vms");
        Assert.Equal(2, everywhere.GetProperty("total").GetInt32());

        var stranger = await W.NewUserAsync("stranger");
        await stranger.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms", expected: HttpStatusCode.NotFound);
        Assert.Equal(0, (await stranger.CallAsync(HttpMethod.Get, "/api/vms")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_viewer_sees_every_vm_of_the_tenant_with_view_only_and_admins_with_every_permission()
    {
        var viewer = await W.NewUserAsync("viewer");
        await W.AddMemberAsync(world.Tenant, viewer.UserId, "viewer");

        var page = await viewer.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms?pageSize=500");
        Assert.Equal(AllGuests.Count(), page.GetProperty("total").GetInt32());
        Assert.All(page.GetProperty("items").EnumerateArray(), r => Assert.Equal(["view"], Permissions(r)));
        var admin = await W.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms?pageSize=1");
        Assert.Equal(["view", "console", "start", "stop", "restart"], Permissions(admin.GetProperty("items")[0]));
    }

    [Fact]
    public async Task Filters_search_sort_and_paging_work_over_every_server_of_the_tenant()
    {
        var path = $"/api/tenants/{world.Tenant}/vms";
        var containers = await W.Admin.CallAsync(HttpMethod.Get, path + "?type=lxc&pageSize=500");
        Assert.Equal(AllGuests.Count(g => g.Type == "lxc"), containers.GetProperty("total").GetInt32());
        Assert.All(containers.GetProperty("items").EnumerateArray(), r => Assert.Equal("lxc", r.GetProperty("type").GetString()));

        var running = await W.Admin.CallAsync(HttpMethod.Get, path + $"?status=running&server={world.SecondServer}&pageSize=500");
        Assert.Equal(W.Simulator.Clusters[1].Guests.Count(g => g.State == GuestRunState.Running), running.GetProperty("total").GetInt32());

        var target = W.Simulator.Clusters[0].Guests[5];
        var found = await W.Admin.CallAsync(HttpMethod.Get, path + $"?search={Uri.EscapeDataString(target.Name.ToUpperInvariant())}");
        Assert.Contains(found.GetProperty("items").EnumerateArray(), r => r.GetProperty("vmId").GetInt32() == target.Vmid);
        var byVmid = await W.Admin.CallAsync(HttpMethod.Get, path + $"?search={target.Vmid}&server={world.Server}");
        Assert.Contains(byVmid.GetProperty("items").EnumerateArray(), r => r.GetProperty("vmId").GetInt32() == target.Vmid);

        var descending = await W.Admin.CallAsync(HttpMethod.Get, path + "?sort=vmid&order=desc&pageSize=500");
        var ids = descending.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("vmId").GetInt32()).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        var byMem = await W.Admin.CallAsync(HttpMethod.Get, path + "?sort=mem&pageSize=500");
        var mems = byMem.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("memory").GetInt64()).ToList();
        Assert.Equal(mems.Order(), mems);

        var pageTwo = await W.Admin.CallAsync(HttpMethod.Get, path + "?sort=vmid&order=desc&page=2&pageSize=7");
        Assert.Equal(ids.Count, pageTwo.GetProperty("total").GetInt32());
        Assert.Equal(ids.Skip(7).Take(7), pageTwo.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("vmId").GetInt32()));

        var node = W.Simulator.Clusters[0].NodeNames[1];
        var onNode = await W.Admin.CallAsync(HttpMethod.Get, path + $"?node={node}&server={world.Server}&pageSize=500");
        Assert.Equal(W.Simulator.Clusters[0].Guests.Count(g => g.Node == node), onNode.GetProperty("total").GetInt32());
        var templates = await W.Admin.CallAsync(HttpMethod.Get, path + "?template=true&pageSize=500");
        Assert.Equal(AllGuests.Count(g => g.Template), templates.GetProperty("total").GetInt32());
        if (AllGuests.FirstOrDefault(g => g.Tags is { Length: > 0 }) is { } tagged)
        {
            var tag = tagged.Tags!.Split(';')[0];
            var withTag = await W.Admin.CallAsync(HttpMethod.Get, path + $"?tag={Uri.EscapeDataString(tag)}&pageSize=500");
            Assert.Equal(AllGuests.Count(g => (g.Tags ?? "").Split(';').Contains(tag)), withTag.GetProperty("total").GetInt32());
        }

        using var tooLarge = await W.Admin.SendAsync(HttpMethod.Get, path + "?pageSize=501");
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        using var badSort = await W.Admin.SendAsync(HttpMethod.Get, path + "?sort=colour");
        Assert.Equal(HttpStatusCode.BadRequest, badSort.StatusCode);
    }

    [Fact]
    public async Task Tenant_stats_match_the_simulated_inventory()
    {
        var stats = await Eventually.ResultAsync(async () =>
        {
            var s = await W.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/stats");
            return s.GetProperty("serversOnline").GetInt32() == 2 ? s : throw new InvalidOperationException("servers not yet online");
        }, TimeSpan.FromSeconds(20), "both servers counted");
        var guests = AllGuests.ToList();
        Assert.Equal(guests.Count(g => g.Type == "qemu"), stats.GetProperty("totalVms").GetInt32());
        Assert.Equal(guests.Count(g => g.Type == "qemu" && g.State == GuestRunState.Running), stats.GetProperty("runningVms").GetInt32());
        Assert.Equal(guests.Count(g => g.Type == "lxc"), stats.GetProperty("totalContainers").GetInt32());
        Assert.Equal(guests.Count(g => g.Type == "lxc" && g.State == GuestRunState.Running), stats.GetProperty("runningContainers").GetInt32());
        Assert.Equal(6, stats.GetProperty("nodesTotal").GetInt32());
        Assert.Equal(2, stats.GetProperty("serversTotal").GetInt32());
        var memory = stats.GetProperty("memory");
        Assert.True(memory.GetProperty("total").GetDouble() > 0);
        Assert.InRange(memory.GetProperty("percentage").GetInt32(), 0, 100);
        Assert.True(stats.GetProperty("storage").GetProperty("total").GetDouble() > 0);

        var viewer = await W.NewUserAsync("statsviewer");
        await viewer.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/stats", expected: HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_removed_member_is_refused_on_the_very_next_listing()
    {
        var viewer = await W.NewUserAsync("removedviewer");
        await W.AddMemberAsync(world.Tenant, viewer.UserId, "viewer");
        await ListTwiceAsync(viewer);

        await W.Admin.CallAsync(HttpMethod.Delete, $"/api/tenants/{world.Tenant}/members/{viewer.UserId}", expected: HttpStatusCode.NoContent);

        await viewer.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms", expected: HttpStatusCode.NotFound);
        Assert.Equal(0, (await viewer.CallAsync(HttpMethod.Get, "/api/vms")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_member_whose_role_drops_to_viewer_lists_view_only_on_the_very_next_listing()
    {
        var manager = await W.NewUserAsync("demotedmanager");
        await W.AddMemberAsync(world.Tenant, manager.UserId, "manager");
        await ListTwiceAsync(manager);

        await W.Admin.CallAsync(HttpMethod.Put, $"/api/tenants/{world.Tenant}/members/{manager.UserId}", new { role = "viewer" });

        var page = await manager.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms?pageSize=5");
        Assert.All(page.GetProperty("items").EnumerateArray(), r => Assert.Equal(["view"], Permissions(r)));
    }

    [Fact]
    public async Task A_deleted_grant_is_gone_from_the_very_next_listing()
    {
        var user = await W.NewUserAsync("revokedgrantee");
        var guest = W.Simulator.Clusters[1].Guests.First(g => g.Type == "qemu");
        var grant = await W.Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{world.Tenant}/vm-grants",
            new { userId = user.UserId, serverId = world.SecondServer, guestType = guest.Type, vmId = guest.Vmid, permissions = new[] { "view" } },
            HttpStatusCode.Created);
        await ListTwiceAsync(user);

        await W.Admin.CallAsync(HttpMethod.Delete, $"/api/tenants/{world.Tenant}/vm-grants/{grant.GetProperty("id").GetGuid()}",
            expected: HttpStatusCode.NoContent);

        using var next = await user.SendAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms");
        Assert.Equal(HttpStatusCode.NotFound, next.StatusCode);
    }

    [Fact]
    public async Task A_disabled_member_is_refused_on_the_very_next_listing()
    {
        var viewer = await W.NewUserAsync("disabledviewer");
        await W.AddMemberAsync(world.Tenant, viewer.UserId, "viewer");
        await ListTwiceAsync(viewer);

        await W.Admin.CallAsync(HttpMethod.Patch, $"/api/users/{viewer.UserId}", new { disabled = true });

        using var next = await viewer.SendAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms");
        Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
    }

    [Fact]
    public async Task The_listing_is_the_json_the_api_serializer_writes()
    {
        var page = await W.Admin.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms?pageSize=3");
        var rows = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(world.Tenant, rows[0].GetProperty("tenantId").GetGuid());
        Assert.True(rows[0].GetProperty("maxMemory").GetInt64() > 0);

        // The listing bypasses the API's configured serializer for speed; the bytes must not differ from it.
        var options = W.App.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var sample = new VmPage(
            [new VmRow(Guid.NewGuid(), Guid.NewGuid(), "pve \"east\"", "qemu", 101, "web-01", "node1", "running", 0.123456789, 4, 1L << 33, 1L << 34,
                0, 1L << 35, 86_400, false, ["prod", "web"], null, "backup", 1, 2, 3, 4, ["view", "console"])],
            1, 1, 50, 42);
        var written = new System.Buffers.ArrayBufferWriter<byte>();
        VmPageResult.Write(written, sample, options);
        Assert.Equal(JsonSerializer.Serialize(sample, options), System.Text.Encoding.UTF8.GetString(written.WrittenSpan));
    }

    // Twice: the second listing is answered from the silo's caches (account and tenant access), which the change
    // must then reach.
    private async Task ListTwiceAsync(ApiClient user)
    {
        var first = await user.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms?pageSize=5");
        Assert.True(first.GetProperty("total").GetInt32() > 0);
        await user.CallAsync(HttpMethod.Get, $"/api/tenants/{world.Tenant}/vms?pageSize=5");
    }

    private Task Grant(Guid userId, Guid serverId, GuestInfo guest, params string[] permissions) =>
        W.Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{world.Tenant}/vm-grants",
            new { userId, serverId, guestType = guest.Type, vmId = guest.Vmid, permissions }, HttpStatusCode.Created);

    private static string[] Permissions(JsonElement row) =>
        row.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).ToArray();
}
