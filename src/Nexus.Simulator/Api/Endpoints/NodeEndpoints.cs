using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Nexus.Simulator.Access;
using Nexus.Simulator.Api.Shapes;

namespace Nexus.Simulator.Api.Endpoints;

/// <summary><c>/nodes</c>, <c>/nodes/{node}/status</c> and <c>/nodes/{node}/certificates/info</c>.</summary>
internal static class NodeEndpoints
{
    public static void Map(ApiRouteTable routes)
    {
        routes.Get("/nodes", ParamSchema.Create(), List);
        routes.Get("/nodes/{node}/status", ParamSchema.Create().Node(), Status, new Permission("/nodes/{node}", PvePrivileges.SysAudit));
        routes.Get("/nodes/{node}/certificates/info", ParamSchema.Create().Node(), Certificates, new Permission("/nodes/{node}", PvePrivileges.SysAudit));
    }

    private static Task<ApiReply> List(ApiCall call)
    {
        var cluster = call.Cluster;
        var list = new JsonArray();
        foreach (var node in cluster.Inventory.Nodes)
        {
            var stats = cluster.Inventory.Stats(node, call.Now);
            var audit = call.Principal.Has($"/nodes/{node.Name}", PvePrivileges.SysAudit);
            list.Add(NodeShapes.Row(node, node.Online, stats, audit, cluster.Fingerprint(node.Name), forResources: false));
        }
        return Task.FromResult(ApiReply.Of(list));
    }

    private static Task<ApiReply> Status(ApiCall call)
    {
        var node = call.Node();
        var st = call.Cluster.Inventory.Stats(node, call.Now);
        string Load(double factor) => (st.LoadAvg * factor).ToString("0.00", CultureInfo.InvariantCulture);
        return Task.FromResult(ApiReply.Of(new JsonObject
        {
            ["uptime"] = st.Uptime,
            ["cpu"] = st.Cpu,
            ["wait"] = st.IoWait,
            // pvestatd reads /proc/loadavg as text: the values are strings.
            ["loadavg"] = new JsonArray(Load(1), Load(0.95), Load(0.9)),
            ["memory"] = new JsonObject { ["total"] = node.MaxMem, ["used"] = st.Mem, ["free"] = node.MaxMem - st.Mem, ["available"] = node.MaxMem - st.Mem },
            ["swap"] = new JsonObject { ["total"] = 8L * 1024 * 1024 * 1024, ["used"] = st.SwapUsed, ["free"] = 8L * 1024 * 1024 * 1024 - st.SwapUsed },
            ["rootfs"] = new JsonObject { ["total"] = node.MaxDisk, ["used"] = st.Disk, ["avail"] = node.MaxDisk - st.Disk, ["free"] = node.MaxDisk - st.Disk },
            ["cpuinfo"] = new JsonObject
            {
                ["cpus"] = node.MaxCpu, ["sockets"] = 1, ["cores"] = node.MaxCpu / 2, ["model"] = "AMD EPYC 7402P 24-Core Processor",
                ["mhz"] = "2800.000", ["hvm"] = "1", ["user_hz"] = 100, ["flags"] = "fpu vme de pse tsc msr pae mce cx8 apic sep",
            },
            ["kversion"] = "Linux 6.14.11-2-pve #1 SMP PREEMPT_DYNAMIC PMX 6.14.11-2 (2025-09-12T09:46Z)",
            ["pveversion"] = $"pve-manager/{call.Cluster.Profile.PveVersion}/3b5e4f0d2a91c7e6",
            ["boot-info"] = new JsonObject { ["mode"] = "efi", ["secureboot"] = 0 },
        }));
    }

    private static Task<ApiReply> Certificates(ApiCall call)
    {
        var node = call.Node();
        var pki = call.Cluster.Pki;
        var leaf = pki.For(node.Name);
        var list = new JsonArray
        {
            Info("pve-root-ca.pem", pki.Ca, Tls.Fingerprint.Of(pki.Ca), null),
            Info("pve-ssl.pem", leaf.Certificate, leaf.Fingerprint, leaf.SubjectAlternativeNames),
        };
        return Task.FromResult(ApiReply.Of(list));
    }

    private static JsonObject Info(string file, X509Certificate2 cert, string fingerprint, IReadOnlyList<string>? sans)
    {
        var info = new JsonObject
        {
            ["filename"] = file,
            ["fingerprint"] = fingerprint,
            ["subject"] = OneLine(cert.SubjectName),
            ["issuer"] = OneLine(cert.IssuerName),
            ["notbefore"] = new DateTimeOffset(cert.NotBefore.ToUniversalTime()).ToUnixTimeSeconds(),
            ["notafter"] = new DateTimeOffset(cert.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(),
            ["pem"] = cert.ExportCertificatePem() + "\n",
            ["public-key-type"] = "rsaEncryption",
            ["public-key-bits"] = 2048,
        };
        if (sans is not null)
        {
            info["san"] = new JsonArray(sans.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        }
        return info;
    }

    // OpenSSL X509_NAME_oneline style, as PVE::Certificate reports it.
    private static string OneLine(X500DistinguishedName name) =>
        string.Concat(name.EnumerateRelativeDistinguishedNames()
            .Select(r => $"/{r.GetSingleElementType().FriendlyName}={r.GetSingleElementValue()}"));
}
