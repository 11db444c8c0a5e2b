using System.Diagnostics;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Tests.Support;
using Nexus.Proxmox.Timeouts;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Faults;
using Polly.CircuitBreaker;

namespace Nexus.Proxmox.Tests.Resilience;

public sealed class ResilienceTests : PerTestSimulator
{
    [Fact]
    public async Task A_get_is_retried_on_5xx_with_backoff_until_the_retries_run_out()
    {
        using var client = Simulated.Connect(Cluster, secondary: false);
        Cluster.Primary.Faults.Set(new FaultSettings { ErrorRate = 1, ErrorStatusCode = 503 });

        var error = await Assert.ThrowsAsync<ProxmoxServerException>(() => client.GetVersionAsync());

        Assert.Equal(503, error.StatusCode);
        Assert.Equal(1 + Simulated.FastOptions.MaxRetries, error.Attempts);
    }

    [Fact]
    public async Task A_get_that_fails_once_succeeds_on_a_retry_and_says_so()
    {
        using var client = Simulated.Connect(Cluster, secondary: false);
        Cluster.Primary.Faults.Set(new FaultSettings { ErrorRate = 0.5, ErrorStatusCode = 500 });

        // With half the answers failing, some calls need a retry; none may surface an error (3 attempts each,
        // so a failure has probability 1/8 per call: allow for that but require retries to have happened).
        var outcomes = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            try
            {
                outcomes.Add((await client.GetVersionAsync()).Attempts);
            }
            catch (ProxmoxServerException)
            {
                outcomes.Add(-1);
            }
        }

        Assert.Contains(outcomes, a => a > 1);
        Assert.True(outcomes.Count(a => a > 0) >= 6, string.Join(",", outcomes));
    }

    [Fact]
    public async Task A_501_is_never_retried()
    {
        using var client = Simulated.Connect(Cluster, secondary: false);
        Cluster.Primary.Faults.Set(new FaultSettings { ErrorRate = 1, ErrorStatusCode = 501 });

        var error = await Assert.ThrowsAsync<ProxmoxNotFoundException>(() => client.GetVersionAsync());

        Assert.Equal(1, error.Attempts);
    }

    [Fact]
    public async Task A_power_action_is_sent_once_even_when_it_fails_with_a_5xx()
    {
        var guest = Simulated.Guest(Cluster, "qemu", GuestRunState.Stopped);
        using var client = Simulated.Connect(Cluster, secondary: false);
        var before = DateTimeOffset.UtcNow;
        Cluster.Primary.Faults.Set(new FaultSettings { ErrorRate = 1, ErrorStatusCode = 503 });

        var error = await Assert.ThrowsAsync<ProxmoxServerException>(
            () => client.PowerActionAsync(guest.Node, GuestType.Qemu, guest.Vmid, PowerAction.Start));
        Cluster.Primary.Faults.Clear();

        Assert.Equal(1, error.Attempts);
        var tasks = (await client.GetTasksAsync(guest.Node, guest.Vmid, "qmstart", before.AddSeconds(-5))).Value;
        Assert.Empty(tasks);
    }

    [Fact]
    public async Task The_per_attempt_timeout_comes_from_the_learned_estimator()
    {
        using var client = Simulated.Connect(Cluster, secondary: false, options: Simulated.TightOptions);
        var primary = Simulated.PrimaryOf(Cluster).ToString();
        for (var i = 0; i < 5; i++)
        {
            await client.GetVersionAsync();
        }
        var learned = client.Timeouts.For(primary, RequestClass.Read).Timeout;
        // Loopback answers in milliseconds, so the estimator sits far below the initial 1.5 s (at the 300 ms floor
        // unless the machine is very busy).
        Assert.InRange(learned, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(1000));
        Cluster.Primary.Faults.Set(new FaultSettings { LatencyKind = LatencyKind.Fixed, Latency = TimeSpan.FromSeconds(20) });

        var started = Stopwatch.GetTimestamp();
        var error = await Assert.ThrowsAsync<ProxmoxUnreachableException>(() => client.GetVersionAsync());
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(UnreachableReason.Timeout, error.Reason);
        Assert.Equal(3, error.Attempts);
        // learned, then 2·learned, then 4·learned (doubling after each timeout, capped at 3 s), plus short back-off delays.
        var expected = learned + Min(learned * 2) + Min(learned * 4);
        Assert.InRange(elapsed, expected * 0.95, expected + TimeSpan.FromSeconds(3));
        var state = client.Timeouts.For(primary, RequestClass.Read).Snapshot();
        Assert.Equal(3, state.Timeouts);
        Assert.Equal(3, state.BackoffExponent);
        Assert.Equal(Min(learned * 8).TotalMilliseconds, state.TimeoutMs, 0);
    }

    private static TimeSpan Min(TimeSpan value) => value < TimeSpan.FromSeconds(3) ? value : TimeSpan.FromSeconds(3);

    [Fact]
    public async Task The_circuit_opens_after_a_failed_call_and_then_rejects_without_sending()
    {
        using var client = Simulated.Connect(Cluster, secondary: false);
        var endpoint = Simulated.PrimaryOf(Cluster);
        Cluster.Primary.Faults.Set(new FaultSettings { ErrorRate = 1, ErrorStatusCode = 503 });

        await Assert.ThrowsAsync<ProxmoxServerException>(() => client.GetVersionAsync());
        Assert.Equal(CircuitState.Open, client.BreakerState(endpoint));
        Cluster.Primary.Faults.Clear();

        var rejected = await Assert.ThrowsAsync<ProxmoxUnreachableException>(() => client.GetVersionAsync());
        Assert.Equal(UnreachableReason.CircuitOpen, rejected.Reason);
        Assert.True(rejected.RequestNotSent);

        // After the break (1 s) one trial call goes through (half-open) and closes the circuit.
        await Task.Delay(Simulated.FastOptions.BreakerBreakDuration + TimeSpan.FromMilliseconds(200));
        var version = await client.GetVersionAsync();
        Assert.Equal("9.2.11", version.Value.Version);
        Assert.Equal(CircuitState.Closed, client.BreakerState(endpoint));
    }

    [Fact]
    public async Task A_recovery_probe_closes_the_circuit_once_the_endpoint_answers_without_waiting_out_the_break()
    {
        // A break longer than the test: only the recovery probe can close this circuit.
        var interval = TimeSpan.FromMilliseconds(1500);
        var options = Simulated.FastOptions with { BreakerBreakDuration = TimeSpan.FromMinutes(5), RecoveryProbeInterval = interval };
        using var client = Simulated.Connect(Cluster, secondary: false, options: options);
        var endpoint = Simulated.PrimaryOf(Cluster);
        Cluster.Primary.Faults.Set(new FaultSettings { ErrorRate = 1, ErrorStatusCode = 503 });
        await Assert.ThrowsAsync<ProxmoxServerException>(() => client.GetVersionAsync());
        Assert.Equal(CircuitState.Open, client.BreakerState(endpoint));

        // Right after opening: rejected without a probe. One interval later the probe still gets a 503: rejected.
        await AssertRejectedAsync(client);
        await Task.Delay(interval + TimeSpan.FromMilliseconds(200));
        await AssertRejectedAsync(client);
        Assert.Equal(CircuitState.Open, client.BreakerState(endpoint));

        // The endpoint is back, but the next probe is not due yet: at most one probe per interval.
        Cluster.Primary.Faults.Clear();
        await AssertRejectedAsync(client);
        await Task.Delay(interval + TimeSpan.FromMilliseconds(200));
        var version = await client.GetVersionAsync();

        Assert.Equal("9.2.11", version.Value.Version);
        Assert.Equal(CircuitState.Closed, client.BreakerState(endpoint));
    }

    private static async Task AssertRejectedAsync(ProxmoxConnection client)
    {
        var rejected = await Assert.ThrowsAsync<ProxmoxUnreachableException>(() => client.GetVersionAsync());
        Assert.Equal(UnreachableReason.CircuitOpen, rejected.Reason);
    }

    [Fact]
    public async Task A_handler_error_500_does_not_open_the_circuit()
    {
        var stopped = Simulated.Guest(Cluster, "qemu", GuestRunState.Stopped);
        using var client = Simulated.Connect(Cluster, secondary: false);

        for (var i = 0; i < 4; i++)
        {
            var error = await Assert.ThrowsAsync<ProxmoxServerException>(
                () => client.PowerActionAsync(stopped.Node, GuestType.Qemu, stopped.Vmid, PowerAction.Reboot));
            Assert.Equal($"VM {stopped.Vmid} not running", error.ProxmoxMessage);
        }

        Assert.Equal(CircuitState.Closed, client.BreakerState(Simulated.PrimaryOf(Cluster)));
    }
}
