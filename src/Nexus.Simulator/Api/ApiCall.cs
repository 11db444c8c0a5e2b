using System.Globalization;
using Microsoft.AspNetCore.Http;
using Nexus.Simulator.Access;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;

namespace Nexus.Simulator.Api;

/// <summary>One authenticated, validated API request as a handler sees it.</summary>
internal sealed class ApiCall(
    HttpContext http,
    SimulatedCluster cluster,
    SimulatedListener listener,
    Principal? principal,
    IReadOnlyDictionary<string, string> parameters)
{
    public HttpContext Http { get; } = http;
    public SimulatedCluster Cluster { get; } = cluster;
    public SimulatedListener Listener { get; } = listener;
    public IReadOnlyDictionary<string, string> Params { get; } = parameters;

    /// <summary>The caller; only null on the few routes that need no authentication.</summary>
    public Principal Principal => principal ?? throw new InvalidOperationException("route has no principal");

    public double Now => Cluster.Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    public string? Get(string name) => Params.GetValueOrDefault(name);

    public int Int(string name) => int.Parse(Params[name], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public bool Bool(string name) => Params.TryGetValue(name, out var v) && ParamSchema.ParseBoolean(v) == true;

    public void Require(string path, string privilege)
    {
        if (!Principal.Has(path, privilege))
        {
            throw ApiException.Forbidden(path, privilege);
        }
    }

    /// <summary>The addressed node; a node that is not up answers as pveproxy's failed proxy does (595).</summary>
    public SimNode Node()
    {
        var name = Params["node"];
        var node = Cluster.Inventory.Node(name)
            ?? throw ApiException.Die($"hostname lookup '{name}' failed - failed to get address info for: {name}: Name or service not known");
        if (!node.Online && node.Name != Listener.Node)
        {
            throw new ApiException(595, "No route to host");
        }
        return node;
    }

    /// <summary>The addressed guest on the addressed node, or the "config file does not exist" error PVE raises.</summary>
    public SimGuest Guest(string type)
    {
        var node = Node();
        var vmid = Int("vmid");
        var guest = Cluster.Inventory.Guest(vmid);
        if (guest is null || guest.Type != type || guest.Read().Node != node.Name)
        {
            var file = type == "qemu" ? $"nodes/{node.Name}/qemu-server/{vmid}.conf" : $"nodes/{node.Name}/lxc/{vmid}.conf";
            throw ApiException.Die($"Configuration file '{file}' does not exist");
        }
        return guest;
    }
}
