using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;

namespace Nexus.Simulator.Tests.Support;

/// <summary>A running simulator with test timing: no 401 delay, short tasks, a shiftable clock.</summary>
public class SimulatorFixture : IAsyncLifetime
{
    internal ShiftableClock Clock { get; } = new();

    public ProxmoxSimulator Simulator { get; private set; } = null!;

    public SimulatedCluster Cluster => Simulator.Clusters[0];

    protected virtual void Configure(SimulatorOptions options)
    {
    }

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions
        {
            Clusters = 1,
            NodesPerCluster = 3,
            GuestsPerCluster = 24,
            Seed = 7,
            AuthFailureDelay = TimeSpan.Zero,
            TaskDuration = TimeSpan.FromMilliseconds(200),
            SnapshotInterval = TimeSpan.FromHours(1),
            Clock = Clock,
        };
        Configure(options);
        Simulator = await ProxmoxSimulator.StartAsync(options);
    }

    public async Task DisposeAsync() => await Simulator.DisposeAsync();

    internal HttpClient Client(bool secondary = false, bool cookies = false)
    {
        var listener = secondary ? Cluster.Secondary! : Cluster.Primary;
        return Pve.Client(listener.Url, Cluster.Fingerprint(listener.Node), cookies: cookies);
    }

    internal string RootToken => Cluster.RootToken.AuthorizationHeader;

    /// <summary>A guest matching the predicate (the seeded inventory always has several of each kind).</summary>
    internal GuestInfo Guest(Func<GuestInfo, bool> predicate) => Cluster.Guests.First(predicate);
}
