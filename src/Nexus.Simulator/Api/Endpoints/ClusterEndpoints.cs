using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nexus.Simulator.Access;
using Nexus.Simulator.Api.Shapes;

namespace Nexus.Simulator.Api.Endpoints;

/// <summary><c>/cluster/status</c> and <c>/cluster/resources</c> (pve-manager API2/Cluster.pm).</summary>
internal static class ClusterEndpoints
{
    private static readonly string[] ResourceTypes = ["vm", "storage", "node", "sdn"];

    public static void Map(ApiRouteTable routes)
    {
        routes.Get("/cluster/status", ParamSchema.Create(), Status, new Permission("/", PvePrivileges.SysAudit));
        routes.Get("/cluster/resources", ParamSchema.Create().Enum("type", ResourceTypes), Resources);
    }

    private static Task<ApiReply> Status(ApiCall call)
    {
        var inventory = call.Cluster.Inventory;
        var list = new JsonArray();
        var clustered = inventory.Nodes.Count > 1;
        if (clustered)
        {
            list.Add(new JsonObject
            {
                ["type"] = "cluster",
                ["id"] = "cluster",
                ["name"] = call.Cluster.Name,
                ["nodes"] = inventory.Nodes.Count,
                ["version"] = inventory.Nodes.Count + 1,
                ["quorate"] = inventory.Nodes.Count(n => n.Online) * 2 > inventory.Nodes.Count ? 1 : 0,
            });
        }
        foreach (var node in inventory.Nodes)
        {
            list.Add(new JsonObject
            {
                ["type"] = "node",
                ["id"] = $"node/{node.Name}",
                ["name"] = node.Name,
                ["nodeid"] = node.NodeId,
                ["ip"] = node.Ip,
                // PDM maps an address to a node by the entry with local=1: the node answering on this listener.
                ["local"] = node.Name == call.Listener.Node ? 1 : 0,
                ["online"] = node.Online ? 1 : 0,
                ["level"] = "",
            });
        }
        return Task.FromResult(ApiReply.Of(list));
    }

    private static Task<ApiReply> Resources(ApiCall call)
    {
        var type = call.Get("type");
        var principal = call.Principal;
        // Rows are rendered once per snapshot and reused by every poll until the next refresh; only the
        // ACL filter runs per request. This keeps 200 clusters polled every 10 s cheap.
        var rows = RenderedRows.GetValue(call.Cluster.Snapshot, snapshot => Render(call.Cluster, snapshot));
        var withPool = principal.Has("/pool", PvePrivileges.PoolAudit);
        void Write(Utf8JsonWriter writer)
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                if ((type is null || row.Type == type) && principal.Has(row.AclPath, row.Privilege))
                {
                    writer.WriteRawValue(withPool ? row.WithPool : row.WithoutPool, skipInputValidation: true);
                }
            }
            writer.WriteEndArray();
        }
        return Task.FromResult(new ApiReply(null, Write));
    }

    private sealed record Row(string Type, string AclPath, string Privilege, byte[] WithPool, byte[] WithoutPool);

    private static readonly ConditionalWeakTable<Clusters.ResourceSnapshot, Row[]> RenderedRows = new();

    private static Row[] Render(Clusters.SimulatedCluster cluster, Clusters.ResourceSnapshot snapshot)
    {
        static byte[] Bytes(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, ApiResponses.SerializerOptions);
        var rows = new List<Row>();
        foreach (var (node, online, stats) in snapshot.Nodes)
        {
            var json = Bytes(NodeShapes.Row(node, online, stats, withStats: true, fingerprint: null, forResources: true));
            rows.Add(new Row("node", $"/nodes/{node.Name}", PvePrivileges.SysAudit, json, json));
        }
        foreach (var (guest, stats) in snapshot.Guests)
        {
            rows.Add(new Row("vm", $"/vms/{guest.Guest.Vmid}", PvePrivileges.VmAudit,
                Bytes(GuestShapes.ResourceRow(guest, stats, withPool: true)),
                Bytes(GuestShapes.ResourceRow(guest, stats, withPool: false))));
        }
        foreach (var (node, _, _) in snapshot.Nodes)
        {
            foreach (var storage in cluster.Inventory.Storages)
            {
                var json = Bytes(new JsonObject
                {
                    ["id"] = $"storage/{node.Name}/{storage.Name}",
                    ["storage"] = storage.Name,
                    ["node"] = node.Name,
                    ["type"] = "storage",
                    ["plugintype"] = storage.PluginType,
                    ["status"] = "available",
                    ["shared"] = storage.Shared ? 1 : 0,
                    ["content"] = storage.Content,
                    ["disk"] = (long)(storage.MaxDisk * storage.UsedShare),
                    ["maxdisk"] = storage.MaxDisk,
                });
                rows.Add(new Row("storage", $"/storage/{storage.Name}", PvePrivileges.DatastoreAudit, json, json));
            }
        }
        foreach (var (node, _, _) in snapshot.Nodes)
        {
            var json = Bytes(new JsonObject
            {
                ["id"] = $"sdn/{node.Name}/localnetwork",
                ["sdn"] = "localnetwork",
                ["node"] = node.Name,
                ["type"] = "sdn",
                ["status"] = "ok",
            });
            rows.Add(new Row("sdn", "/sdn/zones/localnetwork", "SDN.Audit", json, json));
        }
        foreach (var pool in snapshot.Guests.Select(g => g.Guest.Guest.Pool).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var json = Bytes(new JsonObject { ["id"] = $"/pool/{pool}", ["pool"] = pool, ["type"] = "pool" });
            rows.Add(new Row("pool", $"/pool/{pool}", PvePrivileges.PoolAudit, json, json));
        }
        return rows.ToArray();
    }
}
