using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Nexus.Contracts.Consoles;
using Nexus.Contracts.Hosting;
using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Tenants;
using Nexus.Grains.Audit;
using Nexus.Grains.Authorization;
using Nexus.Grains.Consoles;
using Nexus.Host.Live;
using Nexus.Host.Web;

namespace Nexus.Host.Consoles;

/// <summary>
/// The console API: open a session (authorize, lease, mint the one-time token), list a tenant's active sessions, kill
/// one. The socket itself is <see cref="ConsoleSocketEndpoint"/>. A VM or session the caller may not see is 404.
/// </summary>
internal static class ConsoleEndpoints
{
    public static IEndpointRouteBuilder MapConsoleEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/consoles", OpenAsync).WithTags("Consoles").RequireAuthorization();
        endpoints.MapDelete("/api/consoles/{sessionId:guid}", KillAsync).WithTags("Consoles").RequireAuthorization();
        endpoints.MapGet("/api/tenants/{id:guid}/consoles", ListAsync).WithTags("Consoles").RequireAuthorization();
        endpoints.MapConsoleSocket();
        return endpoints;
    }

    private static async Task<Results<Ok<ConsoleOpened>, ValidationProblem, ProblemHttpResult>> OpenAsync(
        OpenConsoleRequest request, CurrentUser caller, HttpContext http, LiveAccessLoader loader, IGrainFactory grains,
        INexusDatabase database, TenantSettingsStore settings, SystemAudit audit, IOptions<ConsoleOptions> options, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Check(request.Type is "qemu" or "lxc", "type", "Must be qemu or lxc.");
        errors.Check(request.Vmid >= 100, "vmid", "Must be at least 100.");
        errors.Check(request.ServerId != Guid.Empty, "serverId", "Required.");
        if (errors.Any)
        {
            return errors.ToResult();
        }
        var type = request.Type!;
        var vm = new VmAddress(request.ServerId, type, request.Vmid);
        var client = ClientInfo.From(http);

        // The VM's tenant comes from its server's grain; everything after that is the caller's access to that tenant.
        var server = grains.GetGrain<IProxmoxServerGrain>(request.ServerId);
        var status = await server.GetStatus();
        if (status.TenantId == Guid.Empty)
        {
            return Problems.NotFound("The VM");
        }
        var audience = await loader.LoadAsync(caller.Id, status.TenantId, ct);
        var decision = audience is null ? AccessDecision.NotFound : PermissionPolicy.DecideVm(audience.Access, vm, VmPermissions.Console);
        var guest = decision == AccessDecision.NotFound ? null : await server.GetGuest(type, request.Vmid);
        if (decision != AccessDecision.Allowed || guest is null)
        {
            await DenyAsync(audit, status.TenantId, caller, vm, client, decision == AccessDecision.Forbidden && guest is not null
                ? "missing the console permission" : "VM not visible to the caller");
            return decision == AccessDecision.Forbidden && guest is not null ? Problems.Forbidden("You may not open this VM's console.") : Problems.NotFound("The VM");
        }
        if (guest.Status != "running")
        {
            return Problems.Conflict($"The VM is {guest.Status}; a console needs it running.");
        }

        var tenantSettings = await database.AsSystemAsync(session => settings.GetAsync(session, status.TenantId), ct);
        var values = tenantSettings?.Values;
        var o = options.Value;
        var (token, hash) = ConsoleTokens.Create();
        var sessionId = Guid.NewGuid();
        var opened = await grains.GetGrain<IConsoleSessionGrain>(sessionId).Open(new ConsoleOpenRequest(
            status.TenantId, caller.Id, caller.Email, vm, guest.Node, guest.Name, request.ViewOnly ?? false,
            ConsoleOptions.Capped(TimeSpan.FromSeconds(values?.ConsoleIdleTimeoutSeconds ?? 900), o.IdleTimeoutLimit),
            ConsoleOptions.Capped(TimeSpan.FromSeconds(values?.ConsoleMaxDurationSeconds ?? 14400), o.MaxDurationLimit),
            hash, new ConsoleLimits(o.MaxSessionsPerUser, values?.ConsoleMaxSessionsPerTenant ?? 20, o.MaxSessionsPerNode),
            client.IpAddress?.ToString(), client.UserAgent));
        if (!opened.Opened)
        {
            await DenyAsync(audit, status.TenantId, caller, vm, client, $"{opened.LimitReached} console limit reached");
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Console limit reached",
                detail: $"The {opened.LimitReached} limit of concurrent consoles is reached; close a console first.");
        }
        // The body carries a secret: no cache may keep it.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new ConsoleOpened(sessionId, token, $"/api/consoles/{sessionId}/ws", opened.ExpiresAt, ConsoleTokens.Protocol));
    }

    private static async Task<Results<Ok<List<ConsoleSessionDto>>, ProblemHttpResult>> ListAsync(
        Guid id, CurrentUser caller, LiveAccessLoader loader, INexusDatabase database, ConsoleSessionStore records, IGrainFactory grains,
        CancellationToken ct)
    {
        if (await loader.LoadAsync(caller.Id, id, ct) is null)
        {
            return Problems.NotFound("The tenant");
        }
        // Row-level security decides whose sessions the caller reads: tenant admins and global admins all, others their own.
        var rows = await database.AsUserAsync(caller.Id, session => records.ListActiveAsync(session, id), ct);
        var infos = await Task.WhenAll(rows.Select(r => grains.GetGrain<IConsoleSessionGrain>(r.Id).GetInfo()));
        return TypedResults.Ok(rows.Zip(infos, (r, info) => new ConsoleSessionDto(r.Id, r.UserId, r.UserEmail, r.ServerId, r.GuestType, r.VmId,
            r.Node, r.ViewOnly, (info?.State ?? (r.StartedAt is null ? ConsoleSessionState.Pending : ConsoleSessionState.Active)).ToString().ToLowerInvariant(),
            new DateTimeOffset(r.OpenedAt, TimeSpan.Zero), r.StartedAt is { } started ? new DateTimeOffset(started, TimeSpan.Zero) : null,
            info?.BytesToGuest ?? r.BytesToGuest, info?.BytesFromGuest ?? r.BytesFromGuest, r.ClientIp?.ToString(), info?.PumpSilo ?? r.PumpSilo)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> KillAsync(
        Guid sessionId, CurrentUser caller, HttpContext http, LiveAccessLoader loader, IGrainFactory grains, CancellationToken ct)
    {
        var grain = grains.GetGrain<IConsoleSessionGrain>(sessionId);
        if (await grain.GetInfo() is not { } info)
        {
            return Problems.NotFound("The console session");
        }
        var audience = await loader.LoadAsync(caller.Id, info.TenantId, ct);
        var own = info.UserId == caller.Id;
        if (audience is null && !own)
        {
            return Problems.NotFound("The console session");
        }
        var administers = audience is not null
            && (PermissionPolicy.IsGlobalAdmin(audience.Access.GlobalRole) || audience.Access.TenantRole == TenantRole.Admin);
        if (!administers && !own)
        {
            return audience!.SeesWholeTenant ? Problems.Forbidden("Only the tenant's admins end other users' consoles.") : Problems.NotFound("The console session");
        }
        var client = ClientInfo.From(http);
        if (!await grain.Kill(new ConsoleKiller(caller.Id, caller.Email, client.IpAddress?.ToString(), client.UserAgent)))
        {
            return Problems.Conflict("The console session has already ended.");
        }
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Ends every console the caller has open, wherever it is pumped (password change, "sign out everywhere"): each
    /// closes with 4030 and its record says who ended it.
    /// </summary>
    public static async Task KillAllOfCallerAsync(CurrentUser caller, HttpContext http, CancellationToken ct)
    {
        var services = http.RequestServices;
        var records = services.GetRequiredService<ConsoleSessionStore>();
        var open = await services.GetRequiredService<INexusDatabase>().AsUserAsync(caller.Id, session => records.ListActiveIdsOfUserAsync(session, caller.Id), ct);
        var client = ClientInfo.From(http);
        var killer = new ConsoleKiller(caller.Id, caller.Email, client.IpAddress?.ToString(), client.UserAgent);
        var grains = services.GetRequiredService<IGrainFactory>();
        // A session that ended meanwhile answers false; nothing else to do for it.
        await Task.WhenAll(open.Select(id => grains.GetGrain<IConsoleSessionGrain>(id).Kill(killer)));
    }

    private static Task DenyAsync(SystemAudit audit, Guid tenantId, CurrentUser caller, VmAddress vm, ClientInfo client, string reason) =>
        audit.WriteAsync(new AuditEntry(tenantId, caller.Id, ConsoleAuditActions.Denied, AuditOutcome.Denied, GrainAuditActions.VmTarget,
            GrainKeys.Guest(vm.ServerId, vm.GuestType, vm.VmId), null,
            JsonSerializer.Serialize(new { reason, serverId = vm.ServerId, guestType = vm.GuestType, vmId = vm.VmId }),
            client.IpAddress, client.UserAgent));
}
