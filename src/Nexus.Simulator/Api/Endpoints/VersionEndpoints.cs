using System.Text.Json.Nodes;

namespace Nexus.Simulator.Api.Endpoints;

/// <summary><c>GET /version</c> and <c>GET /nodes/{node}/version</c>: any authenticated caller.</summary>
internal static class VersionEndpoints
{
    public static void Map(ApiRouteTable routes)
    {
        routes.Get("/version", ParamSchema.Create(), call => Task.FromResult(ApiReply.Of(Version(call))));
        routes.Get("/nodes/{node}/version", ParamSchema.Create().Node(), call =>
        {
            call.Node();
            return Task.FromResult(ApiReply.Of(Version(call)));
        });
    }

    private static JsonObject Version(ApiCall call) => new()
    {
        ["version"] = call.Cluster.Profile.PveVersion,
        ["release"] = call.Cluster.Profile.Release,
        ["repoid"] = "3b5e4f0d2a91c7e6",
        ["console"] = "html5",
    };
}
