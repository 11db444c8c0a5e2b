using System.Net;
using Nexus.Simulator.Access;
using Nexus.Simulator.ConsoleApi;
using Nexus.Simulator.Consoles;
using Nexus.Simulator.Faults;
using Nexus.Simulator.Hosting;
using Nexus.Simulator.Tasks;
using Nexus.Simulator.Tls;

namespace Nexus.Simulator.Clusters;

/// <summary>
/// One simulated Proxmox VE cluster: its listeners, credentials, certificates, guests and fault switches.
/// Everything here acts "from outside" (like an admin on the node), never through the API.
/// </summary>
public sealed class SimulatedCluster
{
    private readonly List<SimulatedListener> _listeners = [];
    private ResourceSnapshot _snapshot;

    internal SimulatedCluster(int index, string name, SimulatorOptions options, ClusterProfile profile, IPEndPoint primary, IPEndPoint? secondary)
    {
        Index = index;
        Name = name;
        Profile = profile;
        Clock = options.Clock;
        AuthFailureDelay = options.AuthFailureDelay;
        TaskDuration = options.TaskDuration;
        RootPassword = options.RootPassword;
        var now = Clock.GetUtcNow();
        Inventory = InventoryGenerator.Create(options.Seed, index, options.NodesPerCluster, options.GuestsPerCluster, options.ContainerShare, now);
        Pki = new ClusterPki(index, $"{name}.sim.invalid", new[] { primary.Address, secondary?.Address }.OfType<IPAddress>());
        var localNode = Inventory.Nodes[0].Name;
        Primary = new SimulatedListener("primary", primary, localNode, Faults);
        _listeners.Add(Primary);
        if (secondary is not null)
        {
            Secondary = new SimulatedListener("secondary", secondary, localNode, Faults);
            _listeners.Add(Secondary);
        }
        Access = new ClusterAccess(new TicketAuthority(index + 3, Clock));
        Access.AddUser(new SimulatedUser("root@pam", options.RootPassword, PvePrivileges.All));
        // Deterministic per seed and cluster (HashCode.Combine is randomized per process); offset from the inventory's stream.
        var random = new Random(unchecked((options.Seed * 1_000_003) + index + 7_919));
        RootToken = new SimulatedToken("root@pam", "nexus", NewSecret(random), PvePrivileges.All);
        Access.AddToken(RootToken);
        Access.AddUser(new SimulatedUser("nexus@pve", "nexus-" + NewSecret(random)[..8], PvePrivileges.All));
        Access.AddToken(new SimulatedToken("nexus@pve", "noconsole", NewSecret(random), PvePrivileges.AllExcept(PvePrivileges.VmConsole)));
        Access.AddToken(new SimulatedToken("nexus@pve", "nopower", NewSecret(random), PvePrivileges.AllExcept(PvePrivileges.VmPowerMgmt)));
        Access.AddToken(new SimulatedToken("nexus@pve", "audit", NewSecret(random), PvePrivileges.Auditor));
        Tasks = new TaskRegistry(Clock, unchecked((options.Seed * 1_000_003) + index + 104_729));
        _snapshot = ResourceSnapshot.Take(Inventory, Now);
        var factory = options.ConsoleFactory ?? DefaultConsoles;
        Consoles = factory(new ConsoleClusterContext(name, profile, Pki.CaPem, NodeNames, Clock, unchecked((options.Seed * 1_000_003) + index + 1_299_709)));
    }

    public int Index { get; }

    /// <summary>The cluster name (<c>/cluster/status</c>, ticket login's <c>clustername</c>).</summary>
    public string Name { get; }

    public ClusterProfile Profile { get; }

    public SimulatedListener Primary { get; }

    public SimulatedListener? Secondary { get; }

    public IReadOnlyList<SimulatedListener> Listeners => _listeners;

    public Uri PrimaryUrl => Primary.Url;

    public Uri? SecondaryUrl => Secondary?.Url;

    /// <summary>Faults applied to every listener of this cluster (in addition to each listener's own).</summary>
    public FaultControl Faults { get; } = new();

    /// <summary>The full-privilege token <c>root@pam!nexus</c>.</summary>
    public SimulatedToken RootToken { get; }

    /// <summary><c>root@pam!nexus=&lt;secret&gt;</c>.</summary>
    public string ApiToken => RootToken.Value;

    /// <summary>All tokens: root's, and <c>nexus@pve!noconsole</c>, <c>!nopower</c>, <c>!audit</c> with restricted privileges.</summary>
    public IReadOnlyCollection<SimulatedToken> Tokens => Access.Tokens;

    public string RootPassword { get; }

    public IReadOnlyList<string> NodeNames => Inventory.Nodes.Select(n => n.Name).ToArray();

    /// <summary>The cluster CA (pve-root-ca.pem).</summary>
    public string CaCertificatePem => Pki.CaPem;

    /// <summary>The console back-end of this cluster.</summary>
    public IClusterConsoles Consoles { get; }

    public IReadOnlyList<GuestInfo> Guests => Inventory.Guests.Select(Describe).ToArray();

    internal TimeProvider Clock { get; }
    internal TimeSpan AuthFailureDelay { get; }
    internal TimeSpan TaskDuration { get; }
    internal ClusterInventory Inventory { get; }
    internal ClusterPki Pki { get; }
    internal ClusterAccess Access { get; }
    internal TaskRegistry Tasks { get; }
    internal ResourceSnapshot Snapshot => Volatile.Read(ref _snapshot);
    internal double Now => Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    public SimulatedToken Token(string fullTokenId) =>
        Access.Tokens.FirstOrDefault(t => t.FullTokenId == fullTokenId)
        ?? throw new KeyNotFoundException($"no token {fullTokenId} in {Name}");

    /// <summary>Adds (or replaces) a token; <paramref name="vmids"/> limits its <c>/vms/…</c> privileges to those guests.</summary>
    public SimulatedToken AddToken(string userId, string tokenName, IReadOnlySet<string> privileges, IReadOnlySet<int>? vmids = null)
    {
        var token = new SimulatedToken(userId, tokenName, Guid.NewGuid().ToString(), privileges, vmids);
        Access.AddToken(token);
        return token;
    }

    public bool RemoveToken(string fullTokenId) => Access.RemoveToken(fullTokenId);

    public void AddUser(SimulatedUser user) => Access.AddUser(user);

    /// <summary>SHA-256 fingerprint (uppercase, colon-separated) of the node's current certificate.</summary>
    public string Fingerprint(string node) => Pki.For(RequireNode(node).Name).Fingerprint;

    public IReadOnlyDictionary<string, string> Fingerprints => NodeNames.ToDictionary(n => n, Fingerprint);

    /// <summary>Issues the node a new certificate at once (listeners serve it from the next handshake); returns the new fingerprint.</summary>
    public string RotateCertificate(string node) => Pki.Rotate(RequireNode(node).Name).Fingerprint;

    public GuestInfo? FindGuest(int vmid) => Inventory.Guest(vmid) is { } guest ? Describe(guest) : null;

    /// <summary>Changes a guest's state from outside the API (someone ran <c>qm stop</c> on the node).</summary>
    public void SetGuestState(int vmid, GuestRunState state)
    {
        var guest = RequireGuest(vmid);
        lock (guest.Gate)
        {
            if (state != GuestRunState.Stopped && guest.State == GuestRunState.Stopped)
            {
                guest.StartedAt = Clock.GetUtcNow();
                guest.Pid = Random.Shared.Next(1_000, 4_000_000);
            }
            guest.State = state;
            guest.Lock = null;
        }
    }

    /// <summary><see cref="SetGuestState"/> by Proxmox status word: <c>running</c>, <c>stopped</c> or <c>paused</c>.</summary>
    public void SetGuestStatus(int vmid, string status) => SetGuestState(vmid, status switch
    {
        "running" => GuestRunState.Running,
        "stopped" => GuestRunState.Stopped,
        "paused" => GuestRunState.Paused,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "running, stopped or paused"),
    });

    /// <summary>Moves a guest to another node (a migration done outside Nexus).</summary>
    public void MoveGuest(int vmid, string node)
    {
        var guest = RequireGuest(vmid);
        var target = RequireNode(node);
        lock (guest.Gate)
        {
            guest.Node = target.Name;
        }
    }

    /// <summary>Marks a node offline: <c>/nodes</c> shows it offline and requests routed to it fail with 595.</summary>
    public void SetNodeOnline(string node, bool online) => RequireNode(node).Online = online;

    /// <summary>Refreshes the <c>/cluster/resources</c> snapshot now instead of at the next interval.</summary>
    public void RefreshSnapshot() => Volatile.Write(ref _snapshot, ResourceSnapshot.Take(Inventory, Now));

    internal async ValueTask DisposeConsolesAsync()
    {
        if (Consoles is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static IClusterConsoles DefaultConsoles(ConsoleClusterContext context) =>
        ClusterConsoles.Create(new ClusterConsoleOptions { LegacyTicketStyle = context.Profile.LegacyVncTicket, Clock = context.Clock });

    private SimNode RequireNode(string node) =>
        Inventory.Node(node) ?? throw new KeyNotFoundException($"no node {node} in {Name}");

    private SimGuest RequireGuest(int vmid) =>
        Inventory.Guest(vmid) ?? throw new KeyNotFoundException($"no guest {vmid} in {Name}");

    private static GuestInfo Describe(SimGuest guest)
    {
        var s = guest.Read();
        return new GuestInfo(guest.Vmid, guest.Type, guest.Name, s.Node, s.State, s.Lock, guest.Tags, guest.Pool,
            guest.Template, guest.Cpus, guest.MaxMem);
    }

    private static string NewSecret(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }
}
