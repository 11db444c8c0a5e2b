using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Data;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Secrets;
using Nexus.Data.Servers;
using Nexus.Grains.Authorization;
using Nexus.Host.Audit;
using Nexus.Host.Tenants;
using Nexus.Host.Web;

namespace Nexus.Host.Servers;

/// <summary>
/// <c>/api/tenants/{id}/servers</c> and <c>/api/servers/{serverId}</c>: the tenant's Proxmox servers. Members read
/// them, admins and managers add and edit them, admins delete them (PermissionPolicy). Each change is committed
/// and audited first, then the server's grain is told to reload or retire.
/// </summary>
internal static class ServersEndpoints
{
    public static IEndpointRouteBuilder MapServersEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var tenant = endpoints.MapGroup("/api/tenants/{id:guid}/servers").WithTags("Servers").RequireAuthorization();
        tenant.MapGet("", ListAsync);
        tenant.MapPost("", CreateAsync);
        var server = endpoints.MapGroup("/api/servers").WithTags("Servers").RequireAuthorization();
        server.MapGet("/{serverId:guid}", GetAsync);
        server.MapPatch("/{serverId:guid}", UpdateAsync);
        server.MapDelete("/{serverId:guid}", DeleteAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<List<ServerDto>>, ProblemHttpResult>> ListAsync(
        Guid id, CurrentUser caller, INexusDatabase database, TenantGate gate, ServerStore servers, CancellationToken ct) =>
        await database.AsUserAsync<Results<Ok<List<ServerDto>>, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.View);
            if (denied is not null)
            {
                return denied;
            }
            return TypedResults.Ok((await servers.ListForTenantAsync(session, id)).Select(ServerDto.From).ToList());
        }, ct);

    private static async Task<Results<Created<ServerDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid id, ServerRequest request, CurrentUser caller, HttpContext context, INexusDatabase database, TenantGate gate,
        ServerRegistration registration, ServerGrains grains, InventoryOptions inventory, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var input = ServerInput.Validate(request, null, errors, inventory);
        ServerRecord? created = null;
        Results<Created<ServerDto>, ValidationProblem, ProblemHttpResult> result;
        try
        {
            result = await database.AsUserAsync<Results<Created<ServerDto>, ValidationProblem, ProblemHttpResult>>(caller.Id, async session =>
            {
                var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.AddServer);
                if (denied is not null)
                {
                    return denied;
                }
                if (errors.Any)
                {
                    return errors.ToResult();
                }
                var outcome = await registration.AddAsync(session, id, caller.Id, input!, ServerAudit.Added, null, ClientInfo.From(context));
                if (outcome.Server is null)
                {
                    return Problems.Conflict(outcome.Refusal!);
                }
                created = outcome.Server;
                return TypedResults.Created($"/api/servers/{created.Id}", ServerDto.From(created));
            }, ct);
        }
        catch (DuplicateException ex) when (ex.Constraint == ServerStore.DuplicateConstraint)
        {
            return Problems.Conflict(ServerRegistration.Duplicate(input!.Draft.Host, input.Draft.Port));
        }
        if (created is not null)
        {
            await grains.ApplyAsync(created.Id, created.IsActive);
        }
        return result;
    }

    private static async Task<Results<Ok<ServerDto>, ProblemHttpResult>> GetAsync(
        Guid serverId, CurrentUser caller, INexusDatabase database, ServerAccess access, CancellationToken ct) =>
        await database.AsUserAsync<Results<Ok<ServerDto>, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (server, denied) = await access.CheckAsync(session, caller, serverId, TenantAction.View);
            return denied is not null ? denied : TypedResults.Ok(ServerDto.From(server!.Server));
        }, ct);

    private static async Task<Results<Ok<ServerDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid serverId, ServerRequest request, CurrentUser caller, HttpContext context, INexusDatabase database, ServerAccess access,
        ServerStore servers, CredentialProtector protector, AuditLog audit, ServerGrains grains, InventoryOptions inventory, CancellationToken ct)
    {
        ServerRecord? updated = null;
        var changes = (IReadOnlyList<string>)[];
        Results<Ok<ServerDto>, ValidationProblem, ProblemHttpResult> result;
        ServerDraft? draft = null;
        try
        {
            result = await database.AsUserAsync<Results<Ok<ServerDto>, ValidationProblem, ProblemHttpResult>>(caller.Id, async session =>
            {
                var (stored, denied) = await access.CheckAsync(session, caller, serverId, TenantAction.UpdateServer);
                if (denied is not null)
                {
                    return denied;
                }
                var existing = stored!.Server;
                var errors = new FieldErrors();
                var input = ServerInput.Validate(request, existing, errors, inventory);
                if (input is null)
                {
                    return errors.ToResult();
                }
                draft = input.Draft;
                if ((draft.Host != existing.Host || draft.Port != existing.Port)
                    && await servers.ExistsAsync(session, existing.TenantId, draft.Host, draft.Port, except: existing.Id))
                {
                    return Problems.Conflict(ServerRegistration.Duplicate(draft.Host, draft.Port));
                }
                changes = ServerInput.Changes(ServerDraft.From(existing), draft, input.ApiToken is not null);
                if (changes.Count == 0)
                {
                    return TypedResults.Ok(ServerDto.From(existing));
                }
                var credential = input.ApiToken is null ? null : protector.Protect(input.ApiToken, existing.Id);
                updated = await servers.UpdateAsync(session, existing.Id, draft, credential);
                if (updated is null)
                {
                    return Problems.NotFound("The server");
                }
                await audit.WriteAsync(session, AuditEntries.Create(existing.TenantId, caller.Id, ServerAudit.Updated, ServerAudit.Target,
                    existing.Id.ToString(), updated.Name, AuditOutcome.Success, new { changed = changes }, ClientInfo.From(context)));
                return TypedResults.Ok(ServerDto.From(updated));
            }, ct);
        }
        catch (DuplicateException ex) when (ex.Constraint == ServerStore.DuplicateConstraint)
        {
            return Problems.Conflict(ServerRegistration.Duplicate(draft!.Host, draft.Port));
        }
        if (updated is not null)
        {
            await grains.ApplyAsync(updated.Id, updated.IsActive);
        }
        return result;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid serverId, CurrentUser caller, HttpContext context, INexusDatabase database, ServerAccess access, ServerStore servers,
        AuditLog audit, ServerGrains grains, CancellationToken ct)
    {
        var deleted = false;
        var result = await database.AsUserAsync<Results<NoContent, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (stored, denied) = await access.CheckAsync(session, caller, serverId, TenantAction.DeleteServer);
            if (denied is not null)
            {
                return denied;
            }
            var server = stored!.Server;
            if (!await servers.DeleteAsync(session, server.Id))
            {
                return Problems.NotFound("The server");
            }
            await audit.WriteAsync(session, AuditEntries.Create(server.TenantId, caller.Id, ServerAudit.Deleted, ServerAudit.Target,
                server.Id.ToString(), server.Name, AuditOutcome.Success, new { server.Host, server.Port }, ClientInfo.From(context)));
            deleted = true;
            return TypedResults.NoContent();
        }, ct);
        if (deleted)
        {
            await grains.RetireAsync(serverId);
        }
        return result;
    }
}
