using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Nexus.Simulator.Api;

/// <summary>A required privilege on a path template such as <c>/vms/{vmid}</c>, checked before parameter validation (as PVE does).</summary>
internal sealed record Permission(string PathTemplate, string Privilege);

/// <summary>One API method: HTTP method + path template below <c>/api2/json</c>.</summary>
internal sealed class ApiRoute
{
    private readonly TemplateMatcher _matcher;

    public ApiRoute(string method, string template, ParamSchema schema, Func<ApiCall, Task<ApiReply>> handler)
    {
        Method = method;
        Template = template;
        Schema = schema;
        Handler = handler;
        // ASP.NET Core's template matcher: the same {name} segment syntax as Proxmox's API paths.
        _matcher = new TemplateMatcher(TemplateParser.Parse(template), new RouteValueDictionary());
    }

    public string Method { get; }
    public string Template { get; }
    public ParamSchema Schema { get; }
    public Func<ApiCall, Task<ApiReply>> Handler { get; }
    public Permission? Permission { get; init; }

    /// <summary>Reachable without credentials (<c>/access/ticket</c>).</summary>
    public bool NoAuth { get; init; }

    /// <summary>False for <c>allowtoken =&gt; 0</c> methods.</summary>
    public bool AllowToken { get; init; } = true;

    public bool TryMatch(string relativePath, RouteValueDictionary values) => _matcher.TryMatch(relativePath, values);
}

/// <summary>The routes of the simulated API, registered by each capability's <c>Map</c> method.</summary>
internal sealed class ApiRouteTable
{
    private readonly List<ApiRoute> _routes = [];

    public IReadOnlyList<ApiRoute> Routes => _routes;

    public ApiRoute Add(ApiRoute route)
    {
        _routes.Add(route);
        return route;
    }

    public ApiRoute Get(string template, ParamSchema schema, Func<ApiCall, Task<ApiReply>> handler, Permission? permission = null) =>
        Add(new ApiRoute("GET", template, schema, handler) { Permission = permission });

    public ApiRoute Post(string template, ParamSchema schema, Func<ApiCall, Task<ApiReply>> handler, Permission? permission = null) =>
        Add(new ApiRoute("POST", template, schema, handler) { Permission = permission });

    public (ApiRoute? Route, RouteValueDictionary Values) Match(string method, string relativePath)
    {
        foreach (var route in _routes)
        {
            if (!string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var values = new RouteValueDictionary();
            if (route.TryMatch(relativePath, values))
            {
                return (route, values);
            }
        }
        return (null, new RouteValueDictionary());
    }
}
