using System.Net;
using System.Text.RegularExpressions;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.Tasks;

public sealed partial class PowerTaskTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private GuestInfo PrepareGuest(string type, int index, string state)
    {
        var guest = fixture.Cluster.Guests.Where(g => g.Type == type && !g.Template).ElementAt(index);
        fixture.Cluster.SetGuestStatus(guest.Vmid, state);
        return guest;
    }

    private async Task<string> PostActionAsync(HttpClient client, GuestInfo guest, string action, string? token = null)
    {
        using var response = await Pve.PostAsync(client, $"nodes/{guest.Node}/{guest.Type}/{guest.Vmid}/status/{action}", token ?? fixture.RootToken);
        return (await Pve.DataAsync(response))!.GetValue<string>();
    }

    [Fact]
    public async Task Start_returns_a_real_upid_and_the_task_runs_then_ends_OK()
    {
        using var client = fixture.Client();
        var guest = PrepareGuest("qemu", 0, "stopped");
        var upid = await PostActionAsync(client, guest, "start");
        Assert.Matches(UpidPattern(), upid);
        Assert.EndsWith($":qmstart:{guest.Vmid}:root@pam!nexus:", upid);

        var running = (await Pve.GetDataAsync(client, $"nodes/{guest.Node}/tasks/{Uri.EscapeDataString(upid)}/status", fixture.RootToken))!;
        Assert.Equal("running", running["status"]!.GetValue<string>());
        Assert.False(running.AsObject().ContainsKey("exitstatus"));

        var done = await Pve.WaitForTaskAsync(client, guest.Node, upid, fixture.RootToken);
        Assert.Equal("OK", done["exitstatus"]!.GetValue<string>());
        var current = (await Pve.GetDataAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/current", fixture.RootToken))!;
        Assert.Equal("running", current["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Task_status_splits_a_token_principal_into_user_and_tokenid()
    {
        using var client = fixture.Client();
        var guest = PrepareGuest("qemu", 1, "running");
        var upid = await PostActionAsync(client, guest, "reset");
        var status = await Pve.WaitForTaskAsync(client, guest.Node, upid, fixture.RootToken);
        Assert.Equal("root@pam", status["user"]!.GetValue<string>());
        Assert.Equal("nexus", status["tokenid"]!.GetValue<string>());
        Assert.Equal(guest.Vmid.ToString(), status["id"]!.GetValue<string>());
        Assert.True(Pve.IsJsonNumber(status["pid"]) && Pve.IsJsonNumber(status["starttime"]));
        Assert.Equal("qmreset", status["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Starting_a_running_vm_fails_in_the_task_not_in_the_request()
    {
        using var client = fixture.Client();
        var guest = PrepareGuest("qemu", 2, "running");
        var upid = await PostActionAsync(client, guest, "start");
        var done = await Pve.WaitForTaskAsync(client, guest.Node, upid, fixture.RootToken);
        Assert.Equal($"VM {guest.Vmid} already running", done["exitstatus"]!.GetValue<string>());
        var log = (await Pve.GetDataAsync(client, $"nodes/{guest.Node}/tasks/{Uri.EscapeDataString(upid)}/log", fixture.RootToken))!.AsArray();
        Assert.Equal($"TASK ERROR: VM {guest.Vmid} already running", log[^1]!["t"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("reboot")]
    [InlineData("reset")]
    [InlineData("suspend")]
    [InlineData("resume")]
    public async Task Actions_on_a_stopped_vm_fail_synchronously_with_not_running(string action)
    {
        using var client = fixture.Client();
        var guest = PrepareGuest("qemu", 3, "stopped");
        using var response = await Pve.PostAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/{action}", fixture.RootToken);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal($"VM {guest.Vmid} not running", response.ReasonPhrase);
        Assert.Equal($"VM {guest.Vmid} not running\n", (await Pve.BodyAsync(response))["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stopping_a_stopped_container_fails_synchronously()
    {
        using var client = fixture.Client();
        var guest = PrepareGuest("lxc", 0, "stopped");
        using var response = await Pve.PostAsync(client, $"nodes/{guest.Node}/lxc/{guest.Vmid}/status/stop", fixture.RootToken);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal($"CT {guest.Vmid} not running", response.ReasonPhrase);
    }

    [Fact]
    public async Task Suspend_pauses_the_vm_and_resume_runs_it_again()
    {
        using var client = fixture.Client();
        var guest = PrepareGuest("qemu", 4, "running");
        var path = $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/current";
        var suspend = await PostActionAsync(client, guest, "suspend");
        Assert.Contains(":qmpause:", suspend);
        await Pve.WaitForTaskAsync(client, guest.Node, suspend, fixture.RootToken);
        var paused = (await Pve.GetDataAsync(client, path, fixture.RootToken))!;
        Assert.Equal("running", paused["status"]!.GetValue<string>());
        Assert.Equal("paused", paused["qmpstatus"]!.GetValue<string>());

        using var shutdown = await Pve.PostAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/status/shutdown", fixture.RootToken);
        Assert.Equal("VM is paused - cannot shutdown", shutdown.ReasonPhrase);

        await Pve.WaitForTaskAsync(client, guest.Node, await PostActionAsync(client, guest, "resume"), fixture.RootToken);
        Assert.Equal("running", (await Pve.GetDataAsync(client, path, fixture.RootToken))!["qmpstatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stop_then_the_guest_reports_stopped_without_pid()
    {
        using var client = fixture.Client();
        var guest = PrepareGuest("lxc", 1, "running");
        var upid = await PostActionAsync(client, guest, "stop");
        Assert.Contains(":vzstop:", upid);
        Assert.Equal("OK", (await Pve.WaitForTaskAsync(client, guest.Node, upid, fixture.RootToken))["exitstatus"]!.GetValue<string>());
        var current = (await Pve.GetDataAsync(client, $"nodes/{guest.Node}/lxc/{guest.Vmid}/status/current", fixture.RootToken))!;
        Assert.Equal("stopped", current["status"]!.GetValue<string>());
        Assert.False(current.AsObject().ContainsKey("pid"));
    }

    [Fact]
    public async Task Unknown_and_malformed_upids_are_parameter_errors()
    {
        using var client = fixture.Client();
        var node = fixture.Cluster.NodeNames[0];
        using var unknown = await Pve.GetAsync(client, $"nodes/{node}/tasks/{Uri.EscapeDataString($"UPID:{node}:00001234:00005678:6A000000:qmstart:100:root@pam:")}/status", fixture.RootToken);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("no such task", (await Pve.BodyAsync(unknown))["errors"]!["upid"]!.GetValue<string>());
        using var malformed = await Pve.GetAsync(client, $"nodes/{node}/tasks/garbage/status", fixture.RootToken);
        Assert.Equal("unable to parse worker upid", (await Pve.BodyAsync(malformed))["errors"]!["upid"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_task_list_reports_finished_tasks_with_their_status()
    {
        using var client = fixture.Client();
        var guest = PrepareGuest("qemu", 5, "stopped");
        var upid = await PostActionAsync(client, guest, "start");
        await Pve.WaitForTaskAsync(client, guest.Node, upid, fixture.RootToken);
        using var response = await Pve.GetAsync(client, $"nodes/{guest.Node}/tasks?vmid={guest.Vmid}", fixture.RootToken);
        var body = await Pve.BodyAsync(response);
        var row = Assert.Single(body["data"]!.AsArray(), t => t!["upid"]!.GetValue<string>() == upid)!;
        Assert.Equal("OK", row["status"]!.GetValue<string>());
        Assert.True(body["total"]!.GetValue<int>() >= 1);
    }

    [GeneratedRegex(@"^UPID:([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$")]
    private static partial Regex UpidPattern();
}
