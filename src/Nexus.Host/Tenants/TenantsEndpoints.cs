using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Contracts.Identity;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Tenants;
using Nexus.Grains.Authorization;
using Nexus.Host.Audit;
using Nexus.Host.Live;
using Nexus.Host.Web;

namespace Nexus.Host.Tenants;

internal sealed record TenantDto(
    Guid Id, string Name, string Slug, string? Description, bool IsActive, TenantRole? Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TenantDto From(TenantRecord tenant, TenantRole? role) => new(
        tenant.Id, tenant.Name, tenant.Slug, tenant.Description, tenant.IsActive, role,
        new DateTimeOffset(tenant.CreatedAt, TimeSpan.Zero), new DateTimeOffset(tenant.UpdatedAt, TimeSpan.Zero));
}

internal sealed record CreateTenantRequest(string? Name, string? Slug, string? Description);

internal sealed record UpdateTenantRequest(string? Name, string? Slug, string? Description, bool? IsActive);

/// <summary>
/// <c>/api/tenants</c>: global admins create, change and delete tenants and list them all; everyone else lists
/// the active tenants they belong to, with their role.
/// </summary>
internal static class TenantsEndpoints
{
    private const int MaxName = 200;
    private const int MaxDescription = 2000;
    private const int MaxSlug = 63;

    public static IEndpointRouteBuilder MapTenantsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/tenants").WithTags("Tenants").RequireAuthorization();
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id:guid}", GetAsync);
        group.MapPatch("/{id:guid}", UpdateAsync);
        group.MapDelete("/{id:guid}", DeleteAsync);
        return endpoints;
    }

    private static async Task<Ok<List<TenantDto>>> ListAsync(
        CurrentUser caller, INexusDatabase database, TenantStore tenants, MembershipStore memberships, CancellationToken ct)
    {
        var list = await database.AsUserAsync(caller.Id, async session =>
        {
            var mine = (await memberships.ListForUserAsync(session, caller.Id)).ToDictionary(m => m.TenantId, m => m.Role);
            var all = PermissionPolicy.Decide(caller.Role, GlobalAction.ListAllTenants) == AccessDecision.Allowed;
            var visible = await tenants.ListAsync(session, includeInactive: all);
            return visible
                .Where(t => all || mine.ContainsKey(t.Id))
                .Select(t => TenantDto.From(t, mine.TryGetValue(t.Id, out var role) ? role : null))
                .ToList();
        }, ct);
        return TypedResults.Ok(list);
    }

    private static async Task<Results<Ok<TenantDto>, ProblemHttpResult>> GetAsync(
        Guid id, CurrentUser caller, INexusDatabase database, TenantGate gate, CancellationToken ct)
    {
        var (scope, denied) = await database.AsUserAsync(caller.Id, session => gate.CheckAsync(session, caller, id, TenantAction.View), ct);
        return denied ?? (Results<Ok<TenantDto>, ProblemHttpResult>)TypedResults.Ok(TenantDto.From(scope!.Tenant, scope.Role));
    }

    private static async Task<Results<Created<TenantDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest request, CurrentUser caller, HttpContext context, INexusDatabase database, TenantStore tenants, AuditLog audit, CancellationToken ct)
    {
        if (Problems.For(PermissionPolicy.Decide(caller.Role, GlobalAction.CreateTenant), "The resource") is { } denied)
        {
            return denied;
        }
        var errors = new FieldErrors();
        var name = request.Name?.Trim();
        errors.Check(!string.IsNullOrEmpty(name), "name", "A name is required.");
        errors.MaxLength(name, MaxName, "name");
        errors.MaxLength(request.Description, MaxDescription, "description");
        var slug = Slug(string.IsNullOrWhiteSpace(request.Slug) ? name : request.Slug);
        errors.Check(slug.Length > 0 || string.IsNullOrEmpty(name), "slug", "The slug needs at least one letter or digit.");
        if (errors.Any)
        {
            return errors.ToResult();
        }
        var created = await database.AsUserAsync(caller.Id, async session =>
        {
            var tenant = await tenants.CreateAsync(session, new NewTenant(name!, slug, Blank(request.Description)));
            await audit.WriteAsync(session, AuditEntries.Create(tenant.Id, caller.Id, AuditActions.TenantCreated, AuditTargets.Tenant,
                tenant.Id.ToString(), tenant.Name, AuditOutcome.Success, new { tenant.Slug }, ClientInfo.From(context)));
            return tenant;
        }, ct);
        return TypedResults.Created($"/api/tenants/{created.Id}", TenantDto.From(created, null));
    }

    private static async Task<Results<Ok<TenantDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateTenantRequest request, CurrentUser caller, HttpContext context, INexusDatabase database, TenantStore tenants, TenantGate gate, AuditLog audit, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = request.Name?.Trim();
        errors.Check(name is null || name.Length > 0, "name", "The name cannot be blank.");
        errors.MaxLength(name, MaxName, "name");
        errors.MaxLength(request.Description, MaxDescription, "description");
        var slug = request.Slug is null ? null : Slug(request.Slug);
        errors.Check(slug is null || slug.Length > 0, "slug", "The slug needs at least one letter or digit.");

        return await database.AsUserAsync<Results<Ok<TenantDto>, ValidationProblem, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (scope, denied) = await gate.CheckAsync(session, caller, id, TenantAction.UpdateTenant);
            if (denied is not null)
            {
                return denied;
            }
            if (errors.Any)
            {
                return errors.ToResult();
            }
            var tenant = scope!.Tenant;
            await tenants.UpdateAsync(session, id, new TenantUpdate(
                name ?? tenant.Name,
                slug ?? tenant.Slug,
                request.Description is null ? tenant.Description : Blank(request.Description),
                request.IsActive ?? tenant.IsActive));
            if (request.IsActive is { } active && active != tenant.IsActive)
            {
                LiveNotices.AccessChanged(context, id, userId: null);
            }
            await audit.WriteAsync(session, AuditEntries.Create(id, caller.Id, AuditActions.TenantUpdated, AuditTargets.Tenant,
                id.ToString(), name ?? tenant.Name, AuditOutcome.Success, new { changes = request }, ClientInfo.From(context)));
            var updated = await tenants.FindAsync(session, id);
            return TypedResults.Ok(TenantDto.From(updated!, scope.Role));
        }, ct);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, CurrentUser caller, HttpContext context, INexusDatabase database, TenantStore tenants, TenantGate gate, AuditLog audit, CancellationToken ct)
    {
        return await database.AsUserAsync<Results<NoContent, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (scope, denied) = await gate.CheckAsync(session, caller, id, TenantAction.DeleteTenant);
            if (denied is not null)
            {
                return denied;
            }
            // Installation-wide row (tenant NULL): the tenant's own rows lose their link when it goes.
            await audit.WriteAsync(session, AuditEntries.Create(null, caller.Id, AuditActions.TenantDeleted, AuditTargets.Tenant,
                id.ToString(), scope!.Tenant.Name, AuditOutcome.Success, new { scope.Tenant.Slug }, ClientInfo.From(context)));
            await tenants.DeleteAsync(session, id);
            LiveNotices.AccessChanged(context, id, userId: null);
            return TypedResults.NoContent();
        }, ct);
    }

    /// <summary>The prototype's slug rule: lower case, anything but <c>[a-z0-9-]</c> becomes <c>-</c> (runs collapsed, ends trimmed).</summary>
    internal static string Slug(string? source)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            return "";
        }
        var builder = new StringBuilder(source.Length);
        foreach (var c in source.Trim().ToLowerInvariant())
        {
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            if (ok)
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }
        var slug = builder.ToString().Trim('-');
        return slug.Length > MaxSlug ? slug[..MaxSlug].TrimEnd('-') : slug;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
