using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Contracts.Hosting;
using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Vms;
using Nexus.Grains.Authorization;
using Nexus.Host.Live;
using Nexus.Host.Web;

namespace Nexus.Host.Vms;

/// <summary>
/// The VM API: listings served from the grains' snapshots (never a Proxmox call per request), one VM, its power
/// actions (202 with the task; progress and outcome arrive on the tenant's stream), its tasks and RRD history.
/// Access per tenant comes from <see cref="LiveAccessLoader"/> — through <see cref="VmAccessCache"/> for reads, fresh
/// for power actions — decided by <see cref="PermissionPolicy"/>; a VM the caller may not see is 404 like one that
/// does not exist.
/// </summary>
internal static class VmEndpoints
{
    private static readonly TimeSpan DetailWait = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapVmEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/tenants/{id:guid}/vms", ListTenantAsync).WithTags("VMs").RequireAuthorization();
        endpoints.MapGet("/api/vms", ListAllAsync).WithTags("VMs").RequireAuthorization();
        var vm = endpoints.MapGroup("/api/servers/{serverId:guid}/vms/{type}/{vmid:int}").WithTags("VMs").RequireAuthorization();
        vm.MapGet("", GetAsync);
        vm.MapPost("/actions/{action}", ActAsync);
        vm.MapGet("/tasks", TasksAsync);
        vm.MapGet("/rrd", RrdAsync);
        return endpoints;
    }

    private static async Task<Results<VmPageResult, ValidationProblem, ProblemHttpResult>> ListTenantAsync(
        Guid id, HttpRequest request, CurrentUser caller, VmAccessCache accessCache, TenantInventoryCache cache, CancellationToken ct)
    {
        var (query, errors) = VmQuery.Parse(request);
        if (query is null)
        {
            return errors.ToResult();
        }
        var access = await accessCache.GetAsync(caller, id, ct);
        if (access is null)
        {
            return Problems.NotFound("The tenant");
        }
        var inventory = await cache.GetAsync(id);
        return new VmPageResult(VmListing.Page(inventory, access, query));
    }

    private static async Task<Results<VmPageResult, ValidationProblem>> ListAllAsync(
        HttpRequest request, CurrentUser caller, VmTenantQueries tenants, VmAccessCache accessCache, TenantInventoryCache cache, CancellationToken ct)
    {
        var (query, errors) = VmQuery.Parse(request);
        if (query is null)
        {
            return errors.ToResult();
        }
        var rows = new List<InventoryRow>();
        var access = new Dictionary<Guid, TenantAccess>();
        foreach (var tenantId in await tenants.ListAsync(caller.Id, caller.Role, ct))
        {
            if (await accessCache.GetAsync(caller, tenantId, ct) is not { } tenantAccess)
            {
                continue;
            }
            access[tenantId] = tenantAccess;
            rows.AddRange(VmListing.Select(await cache.GetAsync(tenantId), tenantAccess, query));
        }
        // Each tenant's rows are already ordered; across tenants one stable sort merges them.
        var comparer = VmOrdering.Comparer(query.Sort);
        var ordered = query.Descending ? rows.OrderByDescending(r => r, comparer) : rows.OrderBy(r => r, comparer);
        return new VmPageResult(VmListing.Page(ordered, r => access[r.TenantId], query, null));
    }

    private static async Task<Results<Ok<VmDetails>, ProblemHttpResult>> GetAsync(
        Guid serverId, string type, int vmid, CurrentUser caller, VmAccessCache accessCache, IGrainFactory grains, CancellationToken ct)
    {
        var (found, denied) = await FindAsync(serverId, type, vmid, VmPermissions.View, t => accessCache.GetAsync(caller, t, ct), grains);
        if (found is null)
        {
            return denied!;
        }
        GuestDetail? detail = null;
        try
        {
            detail = await found.Server.GetGuestDetail(type, vmid, found.Guest.Node).WaitAsync(DetailWait, ct);
        }
        catch (TimeoutException)
        {
            // The snapshot answers; the details are a bonus that must not make the page wait.
        }
        return TypedResults.Ok(new VmDetails(VmRow.From(found.Guest, found.Access.TenantId, found.ServerName, found.Permissions), detail));
    }

    private static async Task<Results<Accepted<VmTaskDto>, ProblemHttpResult>> ActAsync(
        Guid serverId, string type, int vmid, string action, CurrentUser caller, HttpContext context, LiveAccessLoader loader,
        IGrainFactory grains, CancellationToken ct)
    {
        if (!TryParseAction(action, out var power))
        {
            return Problems.BadRequest("The action must be one of start, shutdown, stop, reboot, reset, suspend, resume.");
        }
        if (power == VmPowerAction.Reset && type == "lxc")
        {
            return Problems.BadRequest("Containers have no reset; use reboot.");
        }
        var (found, denied) = await FindAsync(serverId, type, vmid, PermissionPolicy.RequiredFor(power), async t => (await loader.LoadAsync(caller.Id, t, ct))?.Access, grains);
        if (found is null)
        {
            return denied!;
        }
        var client = ClientInfo.From(context);
        try
        {
            var task = await grains.GetGrain<IVmGrain>(GrainKeys.Guest(serverId, type, vmid))
                .RunAction(power, new VmActor(found.Access, caller.Email, client.IpAddress?.ToString(), client.UserAgent));
            return TypedResults.Accepted($"/api/servers/{serverId}/vms/{type}/{vmid}/tasks", VmTaskDto.From(task));
        }
        catch (KeyNotFoundException)
        {
            return Problems.NotFound("The VM");
        }
        catch (UnauthorizedAccessException)
        {
            return Problems.Forbidden();
        }
    }

    private static async Task<Results<Ok<List<VmTaskDto>>, ProblemHttpResult>> TasksAsync(
        Guid serverId, string type, int vmid, CurrentUser caller, VmAccessCache accessCache, IGrainFactory grains, CancellationToken ct)
    {
        var (found, denied) = await FindAsync(serverId, type, vmid, VmPermissions.View, t => accessCache.GetAsync(caller, t, ct), grains);
        if (found is null)
        {
            return denied!;
        }
        var tasks = await grains.GetGrain<IVmGrain>(GrainKeys.Guest(serverId, type, vmid)).GetTasks();
        return TypedResults.Ok(tasks.Select(VmTaskDto.From).ToList());
    }

    private static async Task<Results<Ok<RrdSeries>, ProblemHttpResult>> RrdAsync(
        Guid serverId, string type, int vmid, string? timeframe, CurrentUser caller, VmAccessCache accessCache, IGrainFactory grains,
        ILoggerFactory loggers, CancellationToken ct)
    {
        timeframe = (timeframe ?? "hour").ToLowerInvariant();
        if (timeframe is not ("hour" or "day" or "week" or "month" or "year"))
        {
            return Problems.BadRequest("The timeframe must be one of hour, day, week, month, year.");
        }
        var (found, denied) = await FindAsync(serverId, type, vmid, VmPermissions.View, t => accessCache.GetAsync(caller, t, ct), grains);
        if (found is null)
        {
            return denied!;
        }
        try
        {
            var samples = await found.Server.GetRrd(type, vmid, found.Guest.Node, timeframe);
            return TypedResults.Ok(new RrdSeries(timeframe, samples.Select(RrdPoint.From).ToList()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            loggers.CreateLogger(typeof(VmEndpoints)).LogWarning("RRD of {Server}/{Type}/{VmId} failed: {Error}", serverId, type, vmid, ex.Message);
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Proxmox did not answer",
                detail: "The server's RRD history could not be read.");
        }
    }

    private sealed record FoundVm(IProxmoxServerGrain Server, GuestState Guest, string ServerName, TenantAccess Access, VmPermissions Permissions);

    // The VM's tenant comes from its server's grain (it is not a secret, and a grant-only user cannot read the
    // server row); everything after that is the caller's access to that tenant.
    private static async Task<(FoundVm? Found, ProblemHttpResult? Denied)> FindAsync(
        Guid serverId, string type, int vmid, VmPermissions required, Func<Guid, Task<TenantAccess?>> access, IGrainFactory grains)
    {
        if (type is not ("qemu" or "lxc") || vmid < 100)
        {
            return (null, Problems.NotFound("The VM"));
        }
        var server = grains.GetGrain<IProxmoxServerGrain>(serverId);
        var status = await server.GetStatus();
        if (status.TenantId == Guid.Empty || await access(status.TenantId) is not { } tenantAccess)
        {
            return (null, Problems.NotFound("The VM"));
        }
        var vm = new VmAddress(serverId, type, vmid);
        var decision = PermissionPolicy.DecideVm(tenantAccess, vm, required);
        var guest = decision == AccessDecision.NotFound ? null : await server.GetGuest(type, vmid);
        if (guest is null)
        {
            return (null, Problems.NotFound("The VM"));
        }
        if (Problems.For(decision, "The VM") is { } denied)
        {
            return (null, denied);
        }
        return (new FoundVm(server, guest, status.Name, tenantAccess, PermissionPolicy.EffectivePermissions(tenantAccess, vm)), null);
    }

    private static bool TryParseAction(string action, out VmPowerAction power) =>
        Enum.TryParse(action, ignoreCase: true, out power) && Enum.IsDefined(power)
        && !int.TryParse(action, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
}
