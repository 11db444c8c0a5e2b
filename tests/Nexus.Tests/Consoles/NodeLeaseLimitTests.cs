using System.Net;
using Nexus.Contracts.Consoles;
using Nexus.Grains.Consoles;
using Nexus.Simulator.Clusters;
using Nexus.Tests.Support;

namespace Nexus.Tests.Consoles;

/// <summary>
/// The per-node console lease: Proxmox hands out VNC ports 5900–5999, so a node serves at most 100 consoles at once.
/// Nexus counts its sessions per (server, node) and refuses the open beyond the cap before Proxmox would run out of
/// ports; the other nodes of the same server are not affected. The cap is lowered to 2 here (the default is 100).
/// </summary>
public sealed class NodeLeaseLimitTests : IAsyncLifetime
{
    private const int NodeCap = 2;
    private ConsoleWorld _world = null!;

    public async Task InitializeAsync() => _world = await ConsoleWorld.StartAsync(1,
        _ => [$"--Nexus:Consoles:MaxSessionsPerNode={NodeCap}", "--Nexus:Consoles:MaxSessionsPerUser=10"]);

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_full_node_refuses_an_open_with_429_while_another_node_of_the_server_still_accepts_until_a_session_ends()
    {
        var w = _world;
        var byNode = GuestsByNode(w, perNode: NodeCap + 2);
        var (full, other) = (byNode[0], byNode[1]);
        Assert.NotEqual(full[0].Node, other[0].Node);

        // Two live consoles fill the node (a pending one would hold its lease too, but only for the token's 3 s here).
        var first = await w.OpenConsoleAsync(w.Admin, full[0]);
        await using var firstClient = await w.ConnectAsync(first);
        var second = await w.OpenConsoleAsync(w.Admin, full[1]);
        await using var secondClient = await w.ConnectAsync(second);
        await firstClient.FramebufferAsync();
        await secondClient.FramebufferAsync();

        var refused = await w.TryOpenConsoleAsync(w.Admin, full[2], HttpStatusCode.TooManyRequests);
        Assert.Contains("node", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await w.CountAuditAsync(ConsoleAuditActions.Denied));

        // The server's other node has its own 100 (here 2) ports.
        var elsewhere = await w.OpenConsoleAsync(w.Admin, other[0]);
        await using (var elsewhereClient = await w.ConnectAsync(elsewhere))
        {
            await elsewhereClient.FramebufferAsync();
        }

        // Ending a session gives its port back: the full node accepts again.
        await w.Admin.CallAsync(HttpMethod.Delete, $"/api/consoles/{second.SessionId}", expected: HttpStatusCode.NoContent);
        Assert.Equal(4030, (await secondClient.WaitForCloseAsync()).Code);
        await w.ClosedRecordAsync(second.SessionId);
        // The record closes just before the leases are released.
        var nodeLease = w.Hosts[0].Grains.GetGrain<IConsoleLeaseGrain>(ConsoleLeaseKeys.Node(w.Servers[ConsoleCluster.Current], full[0].Node));
        await Eventually.TrueAsync(() => nodeLease.Count().Result < NodeCap, TimeSpan.FromSeconds(10), "the killed session released its node lease");
        var reopened = await w.OpenConsoleAsync(w.Admin, full[3]);
        await using var reopenedClient = await w.ConnectAsync(reopened);
        await reopenedClient.FramebufferAsync();
    }

    /// <summary>Fresh running guests of the current cluster grouped by node: two nodes with <paramref name="perNode"/> each.</summary>
    private static List<GuestInfo>[] GuestsByNode(ConsoleWorld world, int perNode)
    {
        var groups = new Dictionary<string, List<GuestInfo>>();
        while (groups.Values.Count(g => g.Count >= perNode) < 2)
        {
            var guest = world.FreshGuest();
            if (!groups.TryGetValue(guest.Node, out var list))
            {
                groups[guest.Node] = list = [];
            }
            list.Add(guest);
        }
        return groups.Values.Where(g => g.Count >= perNode).Take(2).ToArray();
    }
}
