using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Nexus.Simulator.Access;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;

namespace Nexus.Simulator.Api;

/// <summary>
/// The request path of pveproxy: find the cluster by the local endpoint, authenticate (before looking at
/// the method, so an unknown path without credentials is 401), then 501 for unknown methods, the token
/// check, the permission check, parameter validation and finally the handler.
/// </summary>
internal sealed class ApiDispatcher(ApiRouteTable routes, Func<IPAddress, int, (SimulatedCluster, SimulatedListener)?> lookup)
{
    private const string Prefix = "/api2/json";

    public async Task HandleAsync(HttpContext context)
    {
        var local = context.Connection.LocalIpAddress;
        if (local is null || lookup(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local, context.Connection.LocalPort) is not var (cluster, listener))
        {
            context.Response.StatusCode = 404;
            return;
        }
        try
        {
            await DispatchAsync(context, cluster, listener);
        }
        catch (ApiException error)
        {
            if (error.Status == 401)
            {
                await Task.Delay(cluster.AuthFailureDelay, context.RequestAborted);
            }
            if (!context.Response.HasStarted)
            {
                await ApiResponses.WriteErrorAsync(context, error, cluster.Profile.LegacyErrorBody);
            }
        }
    }

    private async Task DispatchAsync(HttpContext context, SimulatedCluster cluster, SimulatedListener listener)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (!path.StartsWith(Prefix + "/", StringComparison.Ordinal) && path != Prefix)
        {
            throw new ApiException(501, "no such uri");
        }
        var relative = path[Prefix.Length..].TrimEnd('/');
        if (relative.Length == 0)
        {
            relative = "/";
        }

        var method = HttpMethods.IsHead(request.Method) ? "GET" : request.Method.ToUpperInvariant();
        var (route, routeValues) = routes.Match(method, relative);

        Principal? principal = null;
        if (route is not { NoAuth: true })
        {
            var (who, failure) = cluster.Access.Authenticate(request);
            if (who is null)
            {
                await Task.Delay(cluster.AuthFailureDelay, context.RequestAborted);
                await ApiResponses.WriteAuthFailureAsync(context, failure!);
                return;
            }
            principal = who;
        }

        if (route is null)
        {
            throw new ApiException(501, $"Method '{method} {relative}' not implemented");
        }
        if (principal is { TokenName: not null } && !route.AllowToken)
        {
            throw new ApiException(403,
                $"Permission check failed (URI '{relative}' not available with API token, need proper ticket.)");
        }

        var parameters = await ReadParametersAsync(request);
        foreach (var (key, value) in routeValues)
        {
            parameters[key] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        }

        if (route.Permission is { } permission && principal is not null)
        {
            var permissionPath = permission.PathTemplate;
            foreach (var (key, value) in parameters)
            {
                permissionPath = permissionPath.Replace("{" + key + "}", value, StringComparison.Ordinal);
            }
            if (!principal.Has(permissionPath, permission.Privilege))
            {
                throw ApiException.Forbidden(permissionPath, permission.Privilege);
            }
        }

        var errors = route.Schema.Validate(parameters);
        if (errors.Count > 0)
        {
            throw ApiException.Parameters(errors);
        }

        var reply = await route.Handler(new ApiCall(context, cluster, listener, principal, parameters));
        if (!ReferenceEquals(reply, ApiReply.Handled))
        {
            await ApiResponses.WriteDataAsync(context, reply);
        }
    }

    /// <summary>Query string merged with a form or JSON object body (pve-http-server extract_params); <c>_dc</c> dropped.</summary>
    private static async Task<Dictionary<string, string>> ReadParametersAsync(HttpRequest request)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            result[key] = value.LastOrDefault() ?? "";
        }
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            foreach (var (key, value) in form)
            {
                result[key] = value.LastOrDefault() ?? "";
            }
        }
        else if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            JsonDocument document;
            try
            {
                document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            }
            catch (JsonException)
            {
                throw ApiException.Die("malformed JSON string, neither tag, array, object, number, string or atom, at character offset 0 (before \"(end of string)\")");
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw ApiException.Die("Not a HASH reference");
                }
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    result[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.True => "1",
                        JsonValueKind.False => "0",
                        JsonValueKind.String => property.Value.GetString() ?? "",
                        _ => property.Value.GetRawText(),
                    };
                }
            }
        }
        result.Remove("_dc");
        return result;
    }
}
