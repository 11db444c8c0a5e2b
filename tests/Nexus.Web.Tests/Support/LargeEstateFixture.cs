using System.Globalization;
using Nexus.Simulator.Hosting;

namespace Nexus.Web.Tests.Support;

/// <summary>
/// An estate of <see cref="GuestCount"/> simulated guests (2 clusters of 2,500) registered through the API in one
/// tenant, on a Nexus host of its own: the other journeys keep their small, quick host, and this one is not measured
/// while they load the machine (its collection runs alone, after the parallel ones).
/// </summary>
public sealed class LargeEstateFixture : IAsyncLifetime
{
    public const int GuestCount = 5_000;
    private const int Clusters = 2;

    public WebHostFixture Host { get; } = new();

    public ProxmoxSimulator Simulator { get; private set; } = null!;

    public string TenantId { get; private set; } = null!;

    /// <summary>How long the host took from the servers' registration to list every guest.</summary>
    public TimeSpan Registration { get; private set; }

    public async Task InitializeAsync()
    {
        // Started side by side: the host's PostgreSQL and the simulator's 5,000 guests are independent.
        var simulator = ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = Clusters, NodesPerCluster = 4, GuestsPerCluster = GuestCount / Clusters, Seed = 5_000,
            ClusterNamePrefix = "large-", SnapshotInterval = TimeSpan.FromSeconds(2), AuthFailureDelay = TimeSpan.Zero,
        });
        await Task.WhenAll(Host.InitializeAsync(), simulator);
        Simulator = await simulator;

        using var admin = await ApiSession.SignInAsync(Host.BaseAddress, WebHostFixture.AdminEmail, WebHostFixture.AdminPassword);
        var tenant = await admin.PostAsync("/api/tenants", new { name = "Large estate", description = "5,000 simulated guests." });
        TenantId = tenant.GetProperty("id").GetString()!;
        var started = DateTime.UtcNow;
        foreach (var cluster in Simulator.Clusters)
        {
            await admin.PostAsync($"/api/tenants/{TenantId}/servers", new
            {
                name = cluster.Name,
                host = cluster.PrimaryUrl.Host,
                port = cluster.PrimaryUrl.Port,
                apiToken = cluster.ApiToken,
                trust = new { mode = "pinned", fingerprints = cluster.Fingerprints.Values.ToArray() },
                isActive = true,
            });
        }
        var deadline = started.AddSeconds(90);
        while (true)
        {
            var total = (await admin.GetAsync($"/api/tenants/{TenantId}/vms?pageSize=1")).GetProperty("total").GetInt32();
            if (total >= GuestCount)
            {
                break;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"The host lists {total} of {GuestCount} guests 90 s after registration:\n{Host.HostOutput}"));
            }
            await Task.Delay(250);
        }
        Registration = DateTime.UtcNow - started;
    }

    public async Task DisposeAsync()
    {
        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }
        await Host.DisposeAsync();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeEstateCollection : ICollectionFixture<LargeEstateFixture>
{
    public const string Name = "large estate";
}
