using System.Text.Json.Nodes;
using Nexus.Simulator.Access;
using Nexus.Simulator.Tasks;

namespace Nexus.Simulator.Api.Endpoints;

/// <summary>Task status, log, list and stop (pve-manager API2/Tasks.pm).</summary>
internal static class TaskEndpoints
{
    public static void Map(ApiRouteTable routes)
    {
        routes.Get("/nodes/{node}/tasks/{upid}/status", ParamSchema.Create().Node().Str("upid", 256, optional: false), Status);
        routes.Get("/nodes/{node}/tasks/{upid}/log", ParamSchema.Create().Node().Str("upid", 256, optional: false)
            .Int("start", 0).Int("limit", 0).Bool("download"), Log);
        routes.Get("/nodes/{node}/tasks", ParamSchema.Create().Node().Int("start", 0).Int("limit", 0).Str("userfilter")
            .Str("typefilter").Int("vmid", 100, 999_999_999).Bool("errors").Enum("source", ["archive", "active", "all"])
            .Int("since").Int("until").Str("statusfilter"), List);
        routes.Add(new ApiRoute("DELETE", "/nodes/{node}/tasks/{upid}", ParamSchema.Create().Node().Str("upid", 256, optional: false), Stop));
    }

    private static SimTask Find(ApiCall call)
    {
        var node = call.Node();
        var upid = call.Get("upid")!;
        if (!TaskRegistry.IsWellFormed(upid))
        {
            throw ApiException.Parameter("upid", "unable to parse worker upid");
        }
        var task = call.Cluster.Tasks.Find(upid);
        if (task is null || task.Node != node.Name)
        {
            throw ApiException.Parameter("upid", "no such task");
        }
        if (!MaySee(call, task))
        {
            throw new ApiException(403, "Permission check failed");
        }
        return task;
    }

    /// <summary>The owner (a user also owns its tokens' tasks) or anyone with Sys.Audit on the node.</summary>
    private static bool MaySee(ApiCall call, SimTask task)
    {
        var p = call.Principal;
        if (task.User == p.Id || (p.TokenName is null && task.User.StartsWith(p.UserId + "!", StringComparison.Ordinal)))
        {
            return true;
        }
        return p.Has($"/nodes/{task.Node}", PvePrivileges.SysAudit);
    }

    private static Task<ApiReply> Status(ApiCall call)
    {
        var task = Find(call);
        var status = Row(task, forList: false);
        return Task.FromResult(ApiReply.Of(status));
    }

    private static JsonObject Row(SimTask task, bool forList)
    {
        var bang = task.User.IndexOf('!', StringComparison.Ordinal);
        var row = new JsonObject
        {
            ["upid"] = task.Upid,
            ["node"] = task.Node,
            ["pid"] = task.Pid,
            ["pstart"] = task.PStart,
            ["starttime"] = task.StartTime,
            ["type"] = task.Type,
            // The task id is a string even when it is a VMID.
            ["id"] = task.Id,
            ["user"] = forList || bang < 0 ? task.User : task.User[..bang],
        };
        if (!forList && bang >= 0)
        {
            row["tokenid"] = task.User[(bang + 1)..];
        }
        if (forList)
        {
            if (!task.Running)
            {
                row["endtime"] = task.EndTime;
                row["status"] = task.ExitStatus;
            }
        }
        else
        {
            row["status"] = task.Running ? "running" : "stopped";
            if (!task.Running)
            {
                row["exitstatus"] = task.ExitStatus;
            }
        }
        return row;
    }

    private static Task<ApiReply> Log(ApiCall call)
    {
        var task = Find(call);
        var lines = task.LogLines();
        var start = call.Params.ContainsKey("start") ? call.Int("start") : 0;
        var limit = call.Params.ContainsKey("limit") ? call.Int("limit") : 50;
        var list = new JsonArray();
        for (var i = start; i < lines.Count && i < start + limit; i++)
        {
            list.Add(new JsonObject { ["n"] = i + 1, ["t"] = lines[i] });
        }
        if (lines.Count == 0)
        {
            list.Add(new JsonObject { ["n"] = 1, ["t"] = "no content" });
        }
        return Task.FromResult(new ApiReply(list, Total: Math.Max(1, lines.Count)));
    }

    private static Task<ApiReply> List(ApiCall call)
    {
        var node = call.Node();
        var source = call.Get("source") ?? "archive";
        var vmid = call.Get("vmid");
        var type = call.Get("typefilter");
        var errorsOnly = call.Bool("errors");
        var tasks = call.Cluster.Tasks.OnNode(node.Name)
            .Where(t => MaySee(call, t))
            .Where(t => source == "all" || (source == "active") == t.Running)
            .Where(t => vmid is null || t.Id == vmid)
            .Where(t => type is null || t.Type == type)
            .Where(t => !errorsOnly || (!t.Running && t.ExitStatus != "OK"))
            .ToArray();
        var start = call.Params.ContainsKey("start") ? call.Int("start") : 0;
        var limit = call.Params.ContainsKey("limit") ? call.Int("limit") : 50;
        var list = new JsonArray(tasks.Skip(start).Take(limit).Select(t => (JsonNode)Row(t, forList: true)).ToArray());
        return Task.FromResult(new ApiReply(list, Total: tasks.Length));
    }

    private static Task<ApiReply> Stop(ApiCall call)
    {
        var task = Find(call);
        task.Finish("interrupted by signal", call.Cluster.Tasks.Now());
        return Task.FromResult(ApiReply.Of(null));
    }
}
