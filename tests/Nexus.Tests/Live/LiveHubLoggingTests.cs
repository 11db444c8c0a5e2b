using Nexus.Simulator.Clusters;

namespace Nexus.Tests.Live;

/// <summary>The hub's access token travels in the URL (browsers cannot set WebSocket headers); it must never reach a log.</summary>
public sealed class LiveHubLoggingTests
{
    [Fact]
    public async Task The_access_token_in_the_hub_url_never_reaches_a_log_even_at_trace_level()
    {
        // Every ASP.NET Core and Nexus category at Trace, even with a provider-specific rule asking for request
        // logs; Orleans stays quieter (it never sees a URL, and at Trace it floods the test).
        await using var live = await LiveWorld.StartAsync(1,
            "--Logging:LogLevel:Default=Trace",
            "--Logging:LogLevel:Orleans=Warning",
            "--Logging:Nexus.Tests.Servers.RecordingLoggerProvider:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Trace",
            "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Trace");
        var tenant = await live.NewTenantAsync("Logged");
        await live.AddServerAsync(tenant);
        var token = live.Admin.AccessToken!;
        await using var client = await LiveClient.ConnectAsync(live.Host.BaseAddress, token);
        await client.JoinAsync(tenant);
        var guest = live.Guest(GuestRunState.Running);
        live.SetOutside(guest.Vmid, "stopped");
        await client.WaitForAsync(e => LiveClient.Reports(e, guest.Vmid, "stopped"), TimeSpan.FromSeconds(LiveWorld.PollSeconds + 1), "an event arrives");
        await client.DisposeAsync();

        var lines = live.Host.Logs.Lines.ToList();
        // The recording works at this level: the hub's requests are in the log, only without their query.
        Assert.Contains(lines, l => l.Contains("/hubs/live", StringComparison.Ordinal));
        var signature = token[(token.LastIndexOf('.') + 1)..];
        Assert.DoesNotContain(lines, l => l.Contains(signature, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("access_token=", StringComparison.Ordinal));
    }
}
