using System.Net;
using System.Text.Json;
using Nexus.Contracts.Events;
using Nexus.Contracts.Hosting;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Vms;
using Nexus.Simulator.Clusters;
using Nexus.Tests.Grains;
using Nexus.Tests.Support;
using Nexus.Tests.Web;

namespace Nexus.Tests.Vms;

/// <summary>Power actions through the API: the task followed to its end, events, audit rows, and who may act.</summary>
public sealed class VmActionTests(VmActionTests.World world) : IClassFixture<VmActionTests.World>
{
    public sealed class World : IAsyncLifetime
    {
        internal GrainWorld Grains { get; private set; } = null!;
        internal Guid Tenant { get; private set; }
        internal Guid Server { get; private set; }
        internal EventLog Events { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Grains = await GrainWorld.StartAsync(clusters: 1, guests: 60);
            Tenant = await Grains.NewTenantAsync("Actions");
            Events = await Grains.SubscribeAsync(Tenant);
            Server = await Grains.AddServerAsync(Tenant, Grains.Simulator.Clusters[0]);
        }

        public async Task DisposeAsync() => await Grains.DisposeAsync();
    }

    private GrainWorld W => world.Grains;
    private SimulatedCluster Cluster => W.Simulator.Clusters[0];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> Taken = new();

    // Each test acts on guests no other test touched (another test's task may still be running on its guests).
    private GuestInfo Take(string type, GuestRunState state) =>
        Cluster.Guests.First(g => g.Type == type && g.State == state && !g.Template && Taken.TryAdd(g.Vmid, true));

    private string PathOf(GuestInfo g) => $"/api/servers/{world.Server}/vms/{g.Type}/{g.Vmid}";

    [Fact]
    public async Task Starting_a_stopped_vm_returns_202_and_its_task_is_followed_to_ok_published_and_audited()
    {
        var guest = Take("qemu", GuestRunState.Stopped);

        var started = await W.Admin.CallAsync(HttpMethod.Post, PathOf(guest) + "/actions/start", expected: HttpStatusCode.Accepted);
        Assert.Equal("running", started.GetProperty("state").GetString());
        Assert.StartsWith("UPID:", started.GetProperty("upid").GetString());
        var taskId = started.GetProperty("taskId").GetGuid();

        var task = await WaitForEndAsync(guest, taskId);
        Assert.Equal("succeeded", task.GetProperty("state").GetString());
        Assert.Equal("OK", task.GetProperty("exitStatus").GetString());
        Assert.Equal(GuestRunState.Running, Cluster.FindGuest(guest.Vmid)!.State);
        var key = GrainKeys.Guest(world.Server, guest.Type, guest.Vmid);
        Assert.Equal(1, await W.CountAuditAsync(world.Tenant, "vm_start", key));
        var details = await W.LastAuditDetailsAsync(world.Tenant, "vm_start");
        Assert.Contains(started.GetProperty("upid").GetString()!, details);
        Assert.Contains($"\"node\": \"{guest.Node}\"", details);
        Assert.Contains("outcome=success", details);
        Assert.Contains($"actor={W.Admin.UserId}", details);
        await world.Events.WaitForAsync<VmTaskUpdated>(u => u.Task.TaskId == taskId && u.Task.State == VmTaskState.Succeeded, "the end was published");
        Assert.Contains(world.Events.Bodies<VmTaskUpdated>(), u => u.Task.TaskId == taskId && u.Task.State == VmTaskState.Running);
        // The server polls right after the task, so the listing shows the new state without waiting for the timer.
        await world.Events.WaitForAsync<VmStatesChanged>(c => c.Changed.Any(g => g.VmId == guest.Vmid && g.Status == "running"), "the new state");
    }

    [Fact]
    public async Task A_task_that_fails_in_proxmox_and_a_refused_action_end_as_failed_and_are_audited()
    {
        var running = Take("qemu", GuestRunState.Running);
        var started = await W.Admin.CallAsync(HttpMethod.Post, PathOf(running) + "/actions/start", expected: HttpStatusCode.Accepted);
        var task = await WaitForEndAsync(running, started.GetProperty("taskId").GetGuid());
        Assert.Equal("failed", task.GetProperty("state").GetString());
        Assert.Equal($"VM {running.Vmid} already running", task.GetProperty("exitStatus").GetString());
        Assert.Equal(1, await W.CountAuditAsync(world.Tenant, "vm_start", GrainKeys.Guest(world.Server, "qemu", running.Vmid)));
        Assert.Contains("outcome=failure", await W.LastAuditDetailsAsync(world.Tenant, "vm_start"));

        var stopped = Take("qemu", GuestRunState.Stopped);
        var reset = await W.Admin.CallAsync(HttpMethod.Post, PathOf(stopped) + "/actions/reset", expected: HttpStatusCode.Accepted);
        Assert.Equal("failed", reset.GetProperty("state").GetString());
        Assert.Contains("not running", reset.GetProperty("exitStatus").GetString());
        Assert.Equal(1, await W.CountAuditAsync(world.Tenant, "vm_reset", GrainKeys.Guest(world.Server, "qemu", stopped.Vmid)));
    }

    [Fact]
    public async Task Admins_and_managers_may_act_viewers_are_403_a_start_grant_starts_but_cannot_stop_and_other_tenants_get_404()
    {
        var admin = await W.NewUserAsync("tadmin");
        var manager = await W.NewUserAsync("manager");
        var viewer = await W.NewUserAsync("viewer");
        var granted = await W.NewUserAsync("granted");
        var outsider = await W.NewUserAsync("outsider");
        await W.AddMemberAsync(world.Tenant, admin.UserId, "admin");
        await W.AddMemberAsync(world.Tenant, manager.UserId, "manager");
        await W.AddMemberAsync(world.Tenant, viewer.UserId, "viewer");
        var other = await W.NewTenantAsync("Other");
        await W.AddMemberAsync(other, outsider.UserId, "admin");
        var grantedVm = Take("qemu", GuestRunState.Stopped);
        var notGranted = Take("qemu", GuestRunState.Stopped);
        await W.Admin.CallAsync(HttpMethod.Post, $"/api/tenants/{world.Tenant}/vm-grants",
            new { userId = granted.UserId, serverId = world.Server, guestType = "qemu", vmId = grantedVm.Vmid, permissions = new[] { "start" } },
            HttpStatusCode.Created);

        await admin.CallAsync(HttpMethod.Post, PathOf(Take("qemu", GuestRunState.Stopped)) + "/actions/start", expected: HttpStatusCode.Accepted);
        await manager.CallAsync(HttpMethod.Post, PathOf(Take("qemu", GuestRunState.Stopped)) + "/actions/start", expected: HttpStatusCode.Accepted);
        await viewer.CallAsync(HttpMethod.Post, PathOf(Take("qemu", GuestRunState.Stopped)) + "/actions/start", expected: HttpStatusCode.Forbidden);
        await viewer.CallAsync(HttpMethod.Get, PathOf(grantedVm));
        await granted.CallAsync(HttpMethod.Post, PathOf(grantedVm) + "/actions/stop", expected: HttpStatusCode.Forbidden);
        await granted.CallAsync(HttpMethod.Post, PathOf(grantedVm) + "/actions/start", expected: HttpStatusCode.Accepted);
        await granted.CallAsync(HttpMethod.Post, PathOf(notGranted) + "/actions/start", expected: HttpStatusCode.NotFound);
        await granted.CallAsync(HttpMethod.Get, PathOf(notGranted), expected: HttpStatusCode.NotFound);
        await outsider.CallAsync(HttpMethod.Post, PathOf(notGranted) + "/actions/start", expected: HttpStatusCode.NotFound);
        await outsider.CallAsync(HttpMethod.Get, PathOf(notGranted) + "/tasks", expected: HttpStatusCode.NotFound);
        await admin.CallAsync(HttpMethod.Post, PathOf(notGranted) + "/actions/explode", expected: HttpStatusCode.BadRequest);
        await admin.CallAsync(HttpMethod.Post, $"/api/servers/{world.Server}/vms/qemu/99999/actions/start", expected: HttpStatusCode.NotFound);

        var mine = await granted.CallAsync(HttpMethod.Get, PathOf(grantedVm));
        Assert.Equal(["view", "start"], mine.GetProperty("vm").GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).ToArray());
        var tasks = await granted.CallAsync(HttpMethod.Get, PathOf(grantedVm) + "/tasks");
        Assert.Equal(granted.UserId, tasks[0].GetProperty("requestedBy").GetGuid());
    }

    [Fact]
    public async Task Rrd_history_is_converted_to_percentages_and_bytes_per_second()
    {
        var guest = Take("qemu", GuestRunState.Running);
        var rrd = await W.Admin.CallAsync(HttpMethod.Get, PathOf(guest) + "/rrd?timeframe=hour");
        Assert.Equal("hour", rrd.GetProperty("timeframe").GetString());
        var points = rrd.GetProperty("data").EnumerateArray().ToList();
        Assert.NotEmpty(points);
        var withCpu = points.Where(p => p.GetProperty("cpu").ValueKind == JsonValueKind.Number).ToList();
        Assert.NotEmpty(withCpu);
        Assert.All(withCpu, p => Assert.InRange(p.GetProperty("cpu").GetDouble(), 0, 100 * 64));
        Assert.All(points.Where(p => p.GetProperty("memory").ValueKind == JsonValueKind.Number),
            p => Assert.InRange(p.GetProperty("memory").GetDouble(), 0, 100));
        await W.Admin.CallAsync(HttpMethod.Get, PathOf(guest) + "/rrd?timeframe=decade", expected: HttpStatusCode.BadRequest);
    }

    private async Task<JsonElement> WaitForEndAsync(GuestInfo guest, Guid taskId) =>
        await Eventually.ResultAsync(async () =>
        {
            var tasks = await W.Admin.CallAsync(HttpMethod.Get, PathOf(guest) + "/tasks");
            var task = tasks.EnumerateArray().Single(t => t.GetProperty("taskId").GetGuid() == taskId);
            return task.GetProperty("state").GetString() == "running" ? throw new InvalidOperationException("still running") : task;
        }, TimeSpan.FromSeconds(20), "the task ended");
}
