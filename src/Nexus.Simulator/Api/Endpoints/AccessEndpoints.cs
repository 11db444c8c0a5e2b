using System.Text.Json.Nodes;
using Nexus.Simulator.Access;

namespace Nexus.Simulator.Api.Endpoints;

/// <summary>Ticket login (pve-access-control API2/AccessControl.pm) and the realm list; both need no authentication.</summary>
internal static class AccessEndpoints
{
    private const string LoginFailure = "authentication failure";

    public static void Map(ApiRouteTable routes)
    {
        routes.Add(new ApiRoute("POST", "/access/ticket", ParamSchema.Create()
            .Str("username", 64, optional: false).Str("password", optional: false).Str("realm", 32).Str("otp")
            .Str("tfa-challenge").Str("path", 64).Str("privs", 64).Bool("new-format"), Login) { NoAuth = true });
        // GET /access/ticket only exists so the web UI can render its login form.
        routes.Add(new ApiRoute("GET", "/access/ticket", ParamSchema.Create(), _ => Task.FromResult(ApiReply.Of(null))) { NoAuth = true });
        routes.Add(new ApiRoute("GET", "/access/domains", ParamSchema.Create(), _ => Task.FromResult(ApiReply.Of(new JsonArray
        {
            new JsonObject { ["realm"] = "pam", ["type"] = "pam", ["comment"] = "Linux PAM standard authentication" },
            new JsonObject { ["realm"] = "pve", ["type"] = "pve", ["comment"] = "Proxmox VE authentication server" },
        }))) { NoAuth = true });
    }

    private static Task<ApiReply> Login(ApiCall call)
    {
        var access = call.Cluster.Access;
        var username = call.Get("username")!;
        var userId = call.Get("realm") is { Length: > 0 } realm && !username.Contains('@', StringComparison.Ordinal)
            ? $"{username}@{realm}"
            : username;
        // The username pattern rejects token ids ("!"): a token can never log in.
        var user = userId.Contains('!', StringComparison.Ordinal) ? null : access.FindUser(userId);
        var password = call.Get("password")!;
        if (user is null || !user.Enabled
            || (password != user.Password && access.Tickets.VerifyTicket(password) != user.UserId))
        {
            throw new ApiException(401, LoginFailure);
        }

        if (call.Get("path") is { } path)
        {
            // Verify mode: only answers whether the ticket/password holds the privileges on the path.
            var principal = new Principal(user.UserId, null, user.Privileges, user.Vmids, ViaTicket: true);
            foreach (var privilege in (call.Get("privs") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!principal.Has(path, privilege))
                {
                    throw ApiException.Forbidden(path, privilege);
                }
            }
            return Task.FromResult(ApiReply.Of(new JsonObject { ["username"] = user.UserId }));
        }

        var data = new JsonObject
        {
            ["username"] = user.UserId,
            ["ticket"] = access.Tickets.IssueTicket(user.UserId),
            ["CSRFPreventionToken"] = access.Tickets.IssueCsrfToken(user.UserId),
        };
        if (call.Cluster.Inventory.Nodes.Count > 1 && user.Privileges.Contains(PvePrivileges.SysAudit))
        {
            data["clustername"] = call.Cluster.Name;
        }
        data["cap"] = Capabilities(user.Privileges);
        return Task.FromResult(ApiReply.Of(data));
    }

    private static JsonObject Capabilities(IReadOnlySet<string> privileges)
    {
        JsonObject Group(Func<string, bool> include)
        {
            var group = new JsonObject();
            foreach (var p in privileges.Where(include).Order(StringComparer.Ordinal))
            {
                group[p] = 1;
            }
            return group;
        }
        return new JsonObject
        {
            ["vms"] = Group(p => p.StartsWith("VM.", StringComparison.Ordinal) || p == "Permissions.Modify"),
            ["storage"] = Group(p => p.StartsWith("Datastore.", StringComparison.Ordinal) || p == "Permissions.Modify"),
            ["access"] = Group(p => p is "User.Modify" or "Group.Allocate" or "Permissions.Modify" or "Realm.Allocate" or "Realm.AllocateUser"),
            ["nodes"] = Group(p => p.StartsWith("Sys.", StringComparison.Ordinal) || p == "Permissions.Modify"),
            ["sdn"] = Group(p => p.StartsWith("SDN.", StringComparison.Ordinal) || p == "Permissions.Modify"),
            ["dc"] = Group(p => p is "Sys.Audit" or "Sys.Modify" or "SDN.Audit" or "SDN.Allocate" or "SDN.Use"),
            ["mapping"] = Group(p => p.StartsWith("Mapping.", StringComparison.Ordinal) || p == "Permissions.Modify"),
        };
    }
}
