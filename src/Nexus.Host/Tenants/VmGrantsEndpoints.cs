using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Identity;
using Nexus.Data.Tenants;
using Nexus.Grains.Authorization;
using Nexus.Host.Audit;
using Nexus.Host.Live;
using Nexus.Host.Web;

namespace Nexus.Host.Tenants;

internal sealed record VmGrantDto(Guid Id, Guid UserId, Guid ServerId, string GuestType, int VmId, IReadOnlyList<string> Permissions, DateTimeOffset CreatedAt)
{
    public static VmGrantDto From(VmGrantRecord grant) => new(
        grant.Id, grant.UserId, grant.Vm.ServerId, grant.Vm.GuestType, grant.Vm.VmId,
        VmPermissionNames.ToNames(grant.Permissions), new DateTimeOffset(grant.CreatedAt, TimeSpan.Zero));
}

internal sealed record CreateVmGrantRequest(Guid? UserId, Guid? ServerId, string? GuestType, int? VmId, IReadOnlyList<string>? Permissions);

internal sealed record UpdateVmGrantRequest(IReadOnlyList<string>? Permissions);

/// <summary>
/// <c>/api/tenants/{id}/vm-grants</c>: per-user permissions on single VMs of the tenant's servers, managed by
/// the tenant's admins and global admins. A tenant admin grants only to the tenant's members; a global admin
/// may also grant a VM to someone outside the tenant (e.g. a customer who sees only their own VM).
/// </summary>
internal static class VmGrantsEndpoints
{
    public static IEndpointRouteBuilder MapVmGrantsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/tenants/{id:guid}/vm-grants").WithTags("VM grants").RequireAuthorization();
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapPatch("/{grantId:guid}", UpdateAsync);
        group.MapDelete("/{grantId:guid}", DeleteAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<List<VmGrantDto>>, ProblemHttpResult>> ListAsync(
        Guid id, CurrentUser caller, INexusDatabase database, TenantGate gate, VmGrantStore grants, CancellationToken ct) =>
        await database.AsUserAsync<Results<Ok<List<VmGrantDto>>, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageVmGrants);
            if (denied is not null)
            {
                return denied;
            }
            return TypedResults.Ok((await grants.ListForTenantAsync(session, id)).Select(VmGrantDto.From).ToList());
        }, ct);

    private static async Task<Results<Created<VmGrantDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid id, CreateVmGrantRequest request, CurrentUser caller, HttpContext context, INexusDatabase database, TenantGate gate,
        VmGrantStore grants, MembershipStore memberships, AuditLog audit, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Check(request.UserId is not null, "userId", "Required.");
        errors.Check(request.ServerId is not null, "serverId", "Required.");
        errors.Check(request.GuestType is "qemu" or "lxc", "guestType", "Either 'qemu' or 'lxc'.");
        errors.Check(request.VmId is >= 100 and <= 999_999_999, "vmId", "A Proxmox VM id: 100 to 999999999.");
        var permissions = Permissions(request.Permissions, errors);

        return await database.AsUserAsync<Results<Created<VmGrantDto>, ValidationProblem, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageVmGrants);
            if (denied is not null)
            {
                return denied;
            }
            if (errors.Any)
            {
                return errors.ToResult();
            }
            if (!caller.IsGlobalAdmin && await memberships.GetRoleAsync(session, id, request.UserId!.Value) is null)
            {
                return Problems.NotFound("The user");
            }
            var vm = new VmAddress(request.ServerId!.Value, request.GuestType!, request.VmId!.Value);
            if ((await grants.ListForUserAsync(session, request.UserId!.Value, id)).Any(g => g.Vm == vm))
            {
                return Problems.Conflict("This user already has a grant for this VM; change it instead.");
            }
            // The composite foreign key refuses a server of another tenant (→ 404 like an unknown one).
            var grant = await grants.UpsertAsync(session, request.UserId!.Value, id, vm, permissions);
            LiveNotices.AccessChanged(context, id, grant.UserId);
            await audit.WriteAsync(session, AuditEntries.Create(id, caller.Id, AuditActions.VmGrantCreated, AuditTargets.VmGrant,
                grant.Id.ToString(), $"{grant.Vm.GuestType}/{grant.Vm.VmId}", AuditOutcome.Success,
                new { grant.UserId, grant.Vm.ServerId, grant.Vm.GuestType, grant.Vm.VmId, permissions = VmPermissionNames.ToNames(permissions) },
                ClientInfo.From(context)));
            return TypedResults.Created($"/api/tenants/{id}/vm-grants/{grant.Id}", VmGrantDto.From(grant));
        }, ct);
    }

    private static async Task<Results<Ok<VmGrantDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, Guid grantId, UpdateVmGrantRequest request, CurrentUser caller, HttpContext context, INexusDatabase database,
        TenantGate gate, VmGrantStore grants, AuditLog audit, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var permissions = Permissions(request.Permissions, errors);
        return await database.AsUserAsync<Results<Ok<VmGrantDto>, ValidationProblem, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageVmGrants);
            if (denied is not null)
            {
                return denied;
            }
            var existing = await grants.FindAsync(session, grantId);
            if (existing is null || existing.TenantId != id)
            {
                return Problems.NotFound("The grant");
            }
            if (errors.Any)
            {
                return errors.ToResult();
            }
            var grant = await grants.UpsertAsync(session, existing.UserId, id, existing.Vm, permissions);
            LiveNotices.AccessChanged(context, id, grant.UserId);
            await audit.WriteAsync(session, AuditEntries.Create(id, caller.Id, AuditActions.VmGrantUpdated, AuditTargets.VmGrant,
                grant.Id.ToString(), $"{grant.Vm.GuestType}/{grant.Vm.VmId}", AuditOutcome.Success,
                new { from = VmPermissionNames.ToNames(existing.Permissions), to = VmPermissionNames.ToNames(permissions) },
                ClientInfo.From(context)));
            return TypedResults.Ok(VmGrantDto.From(grant));
        }, ct);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, Guid grantId, CurrentUser caller, HttpContext context, INexusDatabase database, TenantGate gate,
        VmGrantStore grants, AuditLog audit, CancellationToken ct) =>
        await database.AsUserAsync<Results<NoContent, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageVmGrants);
            if (denied is not null)
            {
                return denied;
            }
            var existing = await grants.FindAsync(session, grantId);
            if (existing is null || existing.TenantId != id)
            {
                return Problems.NotFound("The grant");
            }
            await grants.DeleteAsync(session, grantId);
            LiveNotices.AccessChanged(context, id, existing.UserId);
            await audit.WriteAsync(session, AuditEntries.Create(id, caller.Id, AuditActions.VmGrantDeleted, AuditTargets.VmGrant,
                grantId.ToString(), $"{existing.Vm.GuestType}/{existing.Vm.VmId}", AuditOutcome.Success,
                new { existing.UserId, existing.Vm.ServerId }, ClientInfo.From(context)));
            return TypedResults.NoContent();
        }, ct);

    private static VmPermissions Permissions(IReadOnlyList<string>? names, FieldErrors errors)
    {
        if (names is null || names.Count == 0)
        {
            errors.Add("permissions", "At least one of view, console, start, stop, restart.");
            return VmPermissions.None;
        }
        if (!VmPermissionNames.TryParse(names, out var permissions, out var unknown))
        {
            errors.Add("permissions", $"Unknown permission '{unknown}'.");
        }
        return permissions;
    }
}
