using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Contracts.Events;
using Nexus.Contracts.Hosting;
using Nexus.Simulator.Clusters;
using Nexus.Tests.Support;
using Nexus.Tests.Web;
using Orleans.Streams;

namespace Nexus.Tests.Live;

/// <summary>
/// The live hub against a real host, a real SignalR client and the simulator: changes made on "Proxmox" and
/// through the API reach exactly the connections allowed to see them, as they happen.
/// </summary>
public sealed class LiveHubTests(LiveHubTests.World world) : IClassFixture<LiveHubTests.World>, IAsyncLifetime
{
    private static readonly TimeSpan PollBudget = TimeSpan.FromSeconds(LiveWorld.PollSeconds + 1);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(LiveWorld.PollSeconds + 2);

    public sealed class World : IAsyncLifetime
    {
        internal LiveWorld Live { get; private set; } = null!;

        public async Task InitializeAsync() => Live = await LiveWorld.StartAsync(hosts: 1);

        public async Task DisposeAsync() => await Live.DisposeAsync();
    }

    private LiveWorld Live => world.Live;

    // Before each test registers its own server, so that its first poll sees this state.
    public Task InitializeAsync()
    {
        Live.ResetGuests();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_vm_stopped_outside_Nexus_reaches_a_connected_member_within_the_poll_interval_plus_one_second()
    {
        var tenant = await Live.NewTenantAsync("Outside");
        var serverId = await Live.AddServerAsync(tenant);
        var viewer = await Live.NewUserAsync("viewer");
        await Live.AddMemberAsync(tenant, viewer.UserId, "viewer");
        await using var client = await LiveClient.ConnectAsync(Live.Host.BaseAddress, viewer.AccessToken!);
        var mirror = await LiveMirror.StartAsync(client, viewer, tenant);
        var guest = Live.Guest(GuestRunState.Running);
        Assert.Equal("running", mirror.StatusOf(serverId, guest.Vmid));

        var clock = Stopwatch.StartNew();
        Live.SetOutside(guest.Vmid, "stopped");
        await client.WaitForAsync(e => LiveClient.Reports(e, guest.Vmid, "stopped"), PollBudget, $"VM {guest.Vmid} is reported stopped");

        Assert.True(clock.Elapsed <= PollBudget, $"arrived after {clock.Elapsed.TotalSeconds:0.0} s");
        await Eventually.TrueAsync(() => mirror.StatusOf(serverId, guest.Vmid) == "stopped", TimeSpan.FromSeconds(2), "the mirror applied it");
        var versions = client.Events.Select(e => e.GetProperty("version").GetInt64()).ToList();
        Assert.Equal(versions.Order().Distinct(), versions.Distinct());
    }

    [Fact]
    public async Task A_power_action_reports_its_progress_and_outcome_live()
    {
        var tenant = await Live.NewTenantAsync("Power");
        var serverId = await Live.AddServerAsync(tenant);
        var manager = await Live.NewUserAsync("manager");
        await Live.AddMemberAsync(tenant, manager.UserId, "manager");
        await using var client = await LiveClient.ConnectAsync(Live.Host.BaseAddress, manager.AccessToken!);
        await client.JoinAsync(tenant);
        var guest = Live.Guest(GuestRunState.Stopped);

        await manager.CallAsync(HttpMethod.Post, $"/api/servers/{serverId}/vms/qemu/{guest.Vmid}/actions/start", expected: HttpStatusCode.Accepted);

        bool TaskIs(System.Text.Json.JsonElement e, string state) =>
            e.GetProperty("type").GetString() == "vmTaskUpdated"
            && e.GetProperty("body").GetProperty("task").GetProperty("vm").GetProperty("vmId").GetInt32() == guest.Vmid
            && e.GetProperty("body").GetProperty("task").GetProperty("state").GetString() == state;
        await client.WaitForAsync(e => TaskIs(e, "running"), TimeSpan.FromSeconds(5), "the task's start");
        await client.WaitForAsync(e => TaskIs(e, "succeeded"), TimeSpan.FromSeconds(15), "the task's success");
        await client.WaitForAsync(e => LiveClient.Reports(e, guest.Vmid, "running"), PollBudget + TimeSpan.FromSeconds(5), "the VM running");
    }

    [Fact]
    public async Task A_member_of_another_tenant_receives_nothing_of_this_one_and_cannot_join_it()
    {
        var tenant = await Live.NewTenantAsync("Watched");
        var other = await Live.NewTenantAsync("Other");
        await Live.AddServerAsync(tenant);
        var insider = await Live.NewUserAsync("insider");
        var outsider = await Live.NewUserAsync("outsider");
        await Live.AddMemberAsync(tenant, insider.UserId, "viewer");
        await Live.AddMemberAsync(other, outsider.UserId, "admin");
        await using var inside = await LiveClient.ConnectAsync(Live.Host.BaseAddress, insider.AccessToken!);
        await using var outside = await LiveClient.ConnectAsync(Live.Host.BaseAddress, outsider.AccessToken!);
        await inside.JoinAsync(tenant);
        await outside.JoinAsync(other);

        var refused = await Assert.ThrowsAsync<HubException>(() => outside.JoinAsync(tenant));
        Assert.Contains("does not exist or you may not see it", refused.Message);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.SendAsync(HttpMethod.Get, $"/api/tenants/{tenant}/live")).StatusCode);

        var guest = Live.Guest(GuestRunState.Running);
        Live.SetOutside(guest.Vmid, "stopped");
        await inside.WaitForAsync(e => LiveClient.Reports(e, guest.Vmid, "stopped"), PollBudget, "the insider sees the change");
        await Task.Delay(500);
        Assert.DoesNotContain(outside.Events, e => e.GetProperty("tenantId").GetGuid() == tenant);
    }

    [Fact]
    public async Task A_grant_only_user_receives_only_their_granted_vm_and_every_version()
    {
        var tenant = await Live.NewTenantAsync("Granted");
        var serverId = await Live.AddServerAsync(tenant);
        var customer = await Live.NewUserAsync("customer");
        var mine = Live.Guest(GuestRunState.Running);
        var notMine = Live.Guest(GuestRunState.Running, mine.Vmid);
        await Live.Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{tenant}/vm-grants",
            new { userId = customer.UserId, serverId, guestType = "qemu", vmId = mine.Vmid, permissions = new[] { "view", "start" } }, HttpStatusCode.Created);

        var snapshot = await LiveWorld.SnapshotAsync(customer, tenant);
        var vm = Assert.Single(snapshot.GetProperty("vms").EnumerateArray());
        Assert.Equal(mine.Vmid, vm.GetProperty("guest").GetProperty("vmId").GetInt32());
        Assert.Equal(new[] { "view", "start" }, vm.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(0, snapshot.GetProperty("servers").GetArrayLength());
        Assert.Equal("grantedVms", snapshot.GetProperty("access").GetString());

        await using var admin = await LiveClient.ConnectAsync(Live.Host.BaseAddress, Live.Admin.AccessToken!);
        await using var client = await LiveClient.ConnectAsync(Live.Host.BaseAddress, customer.AccessToken!);
        await admin.JoinAsync(tenant);
        await client.JoinAsync(tenant);
        Live.SetOutside(mine.Vmid, "stopped");
        Live.SetOutside(notMine.Vmid, "stopped");

        await admin.WaitForAsync(e => LiveClient.Reports(e, notMine.Vmid, "stopped"), PollBudget, "the admin sees the other VM");
        await client.WaitForAsync(e => LiveClient.Reports(e, mine.Vmid, "stopped"), PollBudget, "the customer sees their VM");
        var lastAdminVersion = admin.Events.Max(e => e.GetProperty("version").GetInt64());
        await Eventually.TrueAsync(() => client.Events.Any(e => e.GetProperty("version").GetInt64() >= lastAdminVersion), TimeSpan.FromSeconds(3), "the customer has every version the admin has");

        Assert.DoesNotContain(client.OfType("vmStatesChanged").SelectMany(LiveClient.ChangedVmIds), id => id != mine.Vmid);
        // The grant's own access change may reach the client after it joined: it only asks for a reload.
        Assert.DoesNotContain(client.Events, e => e.GetProperty("type").GetString() is not ("vmStatesChanged" or "vmTaskUpdated" or "hidden" or "accessChanged"));
        // Hidden markers keep the sequence whole, so the client can still tell a gap from a filtered event.
        var clientVersions = client.Events.Select(e => e.GetProperty("version").GetInt64()).ToHashSet();
        var adminVersions = admin.Events.Select(e => e.GetProperty("version").GetInt64())
            .Where(v => v >= clientVersions.Min() && v <= lastAdminVersion).ToHashSet();
        Assert.Subset(clientVersions, adminVersions);

        // Power actions: the customer follows the task on their VM, not the admin's on another.
        await Live.Admin.CallAsync(HttpMethod.Post, $"/api/servers/{serverId}/vms/qemu/{notMine.Vmid}/actions/start", expected: HttpStatusCode.Accepted);
        await customer.CallAsync(HttpMethod.Post, $"/api/servers/{serverId}/vms/qemu/{mine.Vmid}/actions/start", expected: HttpStatusCode.Accepted);
        await admin.WaitForAsync(e => TaskEnded(e, notMine.Vmid), TimeSpan.FromSeconds(15), "the admin's task ends");
        await client.WaitForAsync(e => TaskEnded(e, mine.Vmid), TimeSpan.FromSeconds(15), "the customer's task ends");
        Assert.DoesNotContain(client.OfType("vmTaskUpdated"), e => TaskVm(e) != mine.Vmid);
    }

    private static int TaskVm(System.Text.Json.JsonElement e) =>
        e.GetProperty("body").GetProperty("task").GetProperty("vm").GetProperty("vmId").GetInt32();

    private static bool TaskEnded(System.Text.Json.JsonElement e, int vmid) =>
        e.GetProperty("type").GetString() == "vmTaskUpdated" && TaskVm(e) == vmid
        && e.GetProperty("body").GetProperty("task").GetProperty("state").GetString() != "running";

    [Fact]
    public async Task A_member_removed_while_connected_stops_receiving_at_once()
    {
        var tenant = await Live.NewTenantAsync("Removal");
        await Live.AddServerAsync(tenant);
        var leaving = await Live.NewUserAsync("leaving");
        await Live.AddMemberAsync(tenant, leaving.UserId, "manager");
        await using var admin = await LiveClient.ConnectAsync(Live.Host.BaseAddress, Live.Admin.AccessToken!);
        await using var client = await LiveClient.ConnectAsync(Live.Host.BaseAddress, leaving.AccessToken!);
        await admin.JoinAsync(tenant);
        await client.JoinAsync(tenant);

        await Live.Admin.CallAsync(HttpMethod.Delete, $"/api/tenants/{tenant}/members/{leaving.UserId}", expected: HttpStatusCode.NoContent);

        await Eventually.TrueAsync(() => client.Revocations.Count == 1, TimeSpan.FromSeconds(5), "the client is told its access was revoked");
        var revokedAt = client.Revocations[0].GetProperty("version").GetInt64();
        var guest = Live.Guest(GuestRunState.Running);
        Live.SetOutside(guest.Vmid, "stopped");
        await admin.WaitForAsync(e => LiveClient.Reports(e, guest.Vmid, "stopped"), PollBudget, "the admin still sees changes");
        Assert.DoesNotContain(client.Events, e => e.GetProperty("version").GetInt64() >= revokedAt);
        await Assert.ThrowsAsync<HubException>(() => client.JoinAsync(tenant));
    }

    [Fact]
    public async Task A_user_disabled_while_connected_stops_receiving_at_once()
    {
        var tenant = await Live.NewTenantAsync("Disabled");
        await Live.AddServerAsync(tenant);
        var disabled = await Live.NewUserAsync("disabled");
        await Live.AddMemberAsync(tenant, disabled.UserId, "viewer");
        await using var admin = await LiveClient.ConnectAsync(Live.Host.BaseAddress, Live.Admin.AccessToken!);
        await using var client = await LiveClient.ConnectAsync(Live.Host.BaseAddress, disabled.AccessToken!);
        await admin.JoinAsync(tenant);
        await client.JoinAsync(tenant);

        await Live.Admin.CallAsync(HttpMethod.Patch, $"/api/users/{disabled.UserId}", new { disabled = true });

        // Not when the access token expires (up to 15 minutes later): the very next event of the tenant.
        await Eventually.TrueAsync(() => client.Revocations.Count == 1, TimeSpan.FromSeconds(5), "the disabled user's live access is revoked");
        var revokedAt = client.Revocations[0].GetProperty("version").GetInt64();
        var guest = Live.Guest(GuestRunState.Running);
        Live.SetOutside(guest.Vmid, "stopped");
        await admin.WaitForAsync(e => LiveClient.Reports(e, guest.Vmid, "stopped"), PollBudget, "the admin still sees changes");
        Assert.DoesNotContain(client.Events, e => e.GetProperty("version").GetInt64() >= revokedAt);
        Assert.Empty(admin.Revocations);
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_the_live_views_of_every_earlier_session_at_once()
    {
        var tenant = await Live.NewTenantAsync("Everywhere");
        await Live.AddServerAsync(tenant);
        var laptop = await Live.NewUserAsync("everywhere");
        await Live.AddMemberAsync(tenant, laptop.UserId, "viewer");
        var phone = await ApiClient.SignInAsync(Live.Host.Http, laptop.Email, laptop.Password);
        await using var admin = await LiveClient.ConnectAsync(Live.Host.BaseAddress, Live.Admin.AccessToken!);
        await using var laptopView = await LiveClient.ConnectAsync(Live.Host.BaseAddress, laptop.AccessToken!);
        await using var phoneView = await LiveClient.ConnectAsync(Live.Host.BaseAddress, phone.AccessToken!);
        await admin.JoinAsync(tenant);
        await laptopView.JoinAsync(tenant);
        await phoneView.JoinAsync(tenant);

        await phone.CallAsync(HttpMethod.Post, "/api/me/sign-out-everywhere", null, HttpStatusCode.NoContent);

        // Both devices' views end with the next event of the tenant, not when their access tokens expire.
        await Eventually.TrueAsync(() => laptopView.Revocations.Count == 1 && phoneView.Revocations.Count == 1, TimeSpan.FromSeconds(5),
            "every earlier session's live view is revoked");
        var revokedAt = laptopView.Revocations[0].GetProperty("version").GetInt64();
        var again = await ApiClient.SignInAsync(Live.Host.Http, laptop.Email, laptop.Password);
        await using var newView = await LiveClient.ConnectAsync(Live.Host.BaseAddress, again.AccessToken!);
        await newView.JoinAsync(tenant);
        var refused = await Assert.ThrowsAsync<HubException>(() => phoneView.JoinAsync(tenant));
        Assert.Contains("session has ended", refused.Message, StringComparison.Ordinal);

        var guest = Live.Guest(GuestRunState.Running);
        Live.SetOutside(guest.Vmid, "stopped");
        await newView.WaitForAsync(e => LiveClient.Reports(e, guest.Vmid, "stopped"), PollBudget, "the session signed in afterwards sees changes");
        await admin.WaitForAsync(e => LiveClient.Reports(e, guest.Vmid, "stopped"), PollBudget, "the admin still sees changes");
        Assert.DoesNotContain(laptopView.Events, e => e.GetProperty("version").GetInt64() >= revokedAt);
        Assert.DoesNotContain(phoneView.Events, e => e.GetProperty("version").GetInt64() >= revokedAt);
        Assert.Empty(admin.Revocations);
        Assert.Empty(newView.Revocations);
    }

    [Fact]
    public async Task Console_session_changes_reach_tenant_admins_and_the_sessions_owner_but_other_members_see_only_the_version()
    {
        var tenant = await Live.NewTenantAsync("Consoles");
        var serverId = await Live.AddServerAsync(tenant);
        var owner = await Live.NewUserAsync("console-owner");
        var colleague = await Live.NewUserAsync("console-colleague");
        var tenantAdmin = await Live.NewUserAsync("console-admin");
        await Live.AddMemberAsync(tenant, owner.UserId, "manager");
        await Live.AddMemberAsync(tenant, colleague.UserId, "manager");
        await Live.AddMemberAsync(tenant, tenantAdmin.UserId, "admin");
        await using var ownerClient = await LiveClient.ConnectAsync(Live.Host.BaseAddress, owner.AccessToken!);
        await using var colleagueClient = await LiveClient.ConnectAsync(Live.Host.BaseAddress, colleague.AccessToken!);
        await using var adminClient = await LiveClient.ConnectAsync(Live.Host.BaseAddress, tenantAdmin.AccessToken!);
        foreach (var client in new[] { ownerClient, colleagueClient, adminClient })
        {
            await client.JoinAsync(tenant);
        }

        var sessionId = Guid.NewGuid();
        var published = await Live.Host.Grains.GetGrain<Nexus.Contracts.Tenants.ITenantGrain>(tenant).Publish(new ConsoleSessionChanged(
            sessionId, owner.UserId, new Nexus.Contracts.Identity.VmAddress(serverId, "qemu", 100),
            Nexus.Contracts.Consoles.ConsoleSessionState.Active, null, null));

        bool IsTheSession(System.Text.Json.JsonElement e) => e.GetProperty("type").GetString() == "consoleSessionChanged"
            && e.GetProperty("body").GetProperty("sessionId").GetGuid() == sessionId;
        await ownerClient.WaitForAsync(IsTheSession, TimeSpan.FromSeconds(5), "the owner sees their session");
        await adminClient.WaitForAsync(IsTheSession, TimeSpan.FromSeconds(5), "the tenant admin sees it");
        var marker = await colleagueClient.WaitForAsync(e => e.GetProperty("version").GetInt64() == published,
            TimeSpan.FromSeconds(5), "the colleague receives the version");
        Assert.Equal("hidden", marker.GetProperty("type").GetString());
        Assert.DoesNotContain(colleagueClient.Events, IsTheSession);
        Assert.Single(ownerClient.Events, IsTheSession);
    }

    [Fact]
    public async Task A_revoked_grant_stops_that_vms_events_and_a_new_grant_asks_for_a_reload()
    {
        var tenant = await Live.NewTenantAsync("Regrant");
        var serverId = await Live.AddServerAsync(tenant);
        var customer = await Live.NewUserAsync("regrant");
        var first = Live.Guest(GuestRunState.Running);
        var second = Live.Guest(GuestRunState.Running, first.Vmid);
        var grant = await Live.Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{tenant}/vm-grants",
            new { userId = customer.UserId, serverId, guestType = "qemu", vmId = first.Vmid, permissions = new[] { "view" } }, HttpStatusCode.Created);
        await Live.Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{tenant}/vm-grants",
            new { userId = customer.UserId, serverId, guestType = "qemu", vmId = second.Vmid, permissions = new[] { "view" } }, HttpStatusCode.Created);
        await using var client = await LiveClient.ConnectAsync(Live.Host.BaseAddress, customer.AccessToken!);
        await client.JoinAsync(tenant);

        await Live.Admin.CallAsync(HttpMethod.Delete, $"/api/tenants/{tenant}/vm-grants/{grant.GetProperty("id").GetGuid()}", expected: HttpStatusCode.NoContent);
        var changed = await client.WaitForAsync(e => e.GetProperty("type").GetString() == "accessChanged", TimeSpan.FromSeconds(5), "the client is asked to reload");
        Live.SetOutside(first.Vmid, "stopped");
        Live.SetOutside(second.Vmid, "stopped");

        await client.WaitForAsync(e => LiveClient.Reports(e, second.Vmid, "stopped"), PollBudget, "the still-granted VM's change");
        Assert.DoesNotContain(client.OfType("vmStatesChanged").SelectMany(LiveClient.ChangedVmIds), id => id == first.Vmid);
        Assert.Empty(client.Revocations);
        Assert.True(changed.GetProperty("version").GetInt64() > 0);
    }

    [Fact]
    public async Task Deactivating_a_tenant_revokes_its_members_live_access_but_not_a_global_admins()
    {
        var tenant = await Live.NewTenantAsync("Dormant");
        var member = await Live.NewUserAsync("dormant");
        await Live.AddMemberAsync(tenant, member.UserId, "admin");
        await using var admin = await LiveClient.ConnectAsync(Live.Host.BaseAddress, Live.Admin.AccessToken!);
        await using var client = await LiveClient.ConnectAsync(Live.Host.BaseAddress, member.AccessToken!);
        await admin.JoinAsync(tenant);
        await client.JoinAsync(tenant);

        await Live.Admin.CallAsync(HttpMethod.Patch, $"/api/tenants/{tenant}", new { isActive = false });

        await Eventually.TrueAsync(() => client.Revocations.Count == 1, TimeSpan.FromSeconds(5), "the member's access is revoked");
        await admin.WaitForAsync(e => e.GetProperty("type").GetString() == "accessChanged", TimeSpan.FromSeconds(5), "the admin is asked to reload");
        Assert.Empty(admin.Revocations);
        await Assert.ThrowsAsync<HubException>(() => client.JoinAsync(tenant));
    }

    [Fact]
    public async Task A_connection_without_a_valid_token_is_refused()
    {
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => LiveClient.ConnectAsync(Live.Host.BaseAddress, "not-a-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task The_silo_subscribes_once_per_tenant_and_unsubscribes_after_the_last_connection_leaves()
    {
        var tenant = await Live.NewTenantAsync("Counted");
        var member = await Live.NewUserAsync("counted");
        await Live.AddMemberAsync(tenant, member.UserId, "viewer");
        var empty = await LiveWorld.SnapshotAsync(member, tenant);
        Assert.Equal(0, empty.GetProperty("servers").GetArrayLength());
        Assert.Equal("member", empty.GetProperty("access").GetString());
        var before = Live.Host.Bridge.SubscribedTenants;
        var one = await LiveClient.ConnectAsync(Live.Host.BaseAddress, member.AccessToken!);
        await using var two = await LiveClient.ConnectAsync(Live.Host.BaseAddress, member.AccessToken!);

        await one.JoinAsync(tenant);
        await one.JoinAsync(tenant);
        await two.JoinAsync(tenant);
        Assert.Equal(before + 1, Live.Host.Bridge.SubscribedTenants);
        Assert.Equal(2, Live.Host.Bridge.Find(tenant)!.References);
        Assert.Single(await SubscriptionsInPubSubAsync(tenant));

        await one.DisposeAsync();
        await Eventually.TrueAsync(() => Live.Host.Bridge.Find(tenant)?.References == 1, TimeSpan.FromSeconds(5), "a closed connection gives its join back");
        await two.LeaveAsync(tenant);
        Assert.Null(Live.Host.Bridge.Find(tenant));
        Assert.Equal(before, Live.Host.Bridge.SubscribedTenants);
        Assert.Empty(await SubscriptionsInPubSubAsync(tenant));

        // A burst of connections joining and leaving at once leaves nothing behind either.
        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => LiveClient.ConnectAsync(Live.Host.BaseAddress, member.AccessToken!)));
        await Task.WhenAll(burst.Select(c => c.JoinAsync(tenant)));
        Assert.Equal(12, Live.Host.Bridge.Find(tenant)!.References);
        Assert.Single(await SubscriptionsInPubSubAsync(tenant));
        await Task.WhenAll(burst.Select((c, i) => i % 2 == 0 ? c.LeaveAsync(tenant) : c.DisposeAsync().AsTask()));
        await Eventually.TrueAsync(() => Live.Host.Bridge.Find(tenant) is null, TimeSpan.FromSeconds(5), "every join is given back");
        Assert.Empty(await SubscriptionsInPubSubAsync(tenant));
        foreach (var client in burst)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>This silo's subscriptions to the tenant's stream as the cluster's pub-sub store records them.</summary>
    private Task<IList<StreamSubscriptionHandle<TenantEvent>>> SubscriptionsInPubSubAsync(Guid tenantId) =>
        Live.Host.Services.GetRequiredService<IClusterClient>().GetStreamProvider(OrleansNames.StreamProvider)
            .GetStream<TenantEvent>(StreamId.Create(TenantStreams.Namespace, tenantId)).GetAllSubscriptionHandles();
}
