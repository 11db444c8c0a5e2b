using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Grains.Authorization;
using Nexus.Host.Tenants;
using Nexus.Host.Web;

namespace Nexus.Host.Audit;

internal sealed record AuditEntryDto(
    long Id, DateTimeOffset CreatedAt, Guid? ActorId, string? ActorEmail, string Action, AuditOutcome Outcome,
    string? TargetType, string? TargetId, string? TargetName, JsonElement Details, string? ClientIp, string? UserAgent)
{
    public static AuditEntryDto From(AuditRecord r)
    {
        using var details = JsonDocument.Parse(r.DetailsJson);
        return new(r.Id, new DateTimeOffset(r.CreatedAt, TimeSpan.Zero), r.ActorId, r.ActorEmail, r.Action, r.Outcome,
            r.TargetType, r.TargetId, r.TargetName, details.RootElement.Clone(), r.ClientIp?.ToString(), r.UserAgent);
    }
}

/// <summary>One page, newest first. <see cref="NextBefore"/>: pass as <c>before</c> for the next (older) page; null at the end.</summary>
internal sealed record AuditPage(IReadOnlyList<AuditEntryDto> Items, long? NextBefore);

/// <summary>
/// <c>/api/tenants/{id}/audit</c> and <c>audit.csv</c>: the tenant's admins and global admins read its log,
/// filtered by action, target type, time range and text, paged by keyset (the log only grows, so offsets drift).
/// </summary>
internal static class AuditEndpoints
{
    private const int DefaultPageSize = 50;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/tenants/{id:guid}").WithTags("Audit").RequireAuthorization();
        group.MapGet("/audit", ListAsync);
        group.MapGet("/audit.csv", ExportAsync).Produces(StatusCodes.Status200OK, typeof(string), "text/csv");
        return endpoints;
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem, ProblemHttpResult>> ListAsync(
        Guid id, CurrentUser caller, INexusDatabase database, TenantGate gate, AuditLog audit, CancellationToken ct,
        string? action = null, string? targetType = null, DateTimeOffset? from = null, DateTimeOffset? to = null,
        string? search = null, long? before = null, int limit = DefaultPageSize)
    {
        var errors = Validate(action, targetType, from, to, search);
        errors.Range(limit, 1, AuditLog.MaxPageSize, "limit");
        return await database.AsUserAsync<Results<Ok<AuditPage>, ValidationProblem, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ViewAudit);
            if (denied is not null)
            {
                return denied;
            }
            if (errors.Any)
            {
                return errors.ToResult();
            }
            var rows = await audit.QueryAsync(session, Query(id, action, targetType, from, to, search) with { BeforeId = before, Limit = limit });
            var next = rows.Count == limit ? rows[^1].Id : (long?)null;
            return TypedResults.Ok(new AuditPage(rows.Select(AuditEntryDto.From).ToList(), next));
        }, ct);
    }

    /// <summary>
    /// Streams every matching row as CSV while the query runs (no row limit, no buffering). The status is decided
    /// before the first byte; the transaction stays open until the last row is written.
    /// </summary>
    private static async Task ExportAsync(
        Guid id, HttpContext context, CurrentUser caller, INexusDatabase database, TenantGate gate, AuditLog audit, CancellationToken ct,
        string? action = null, string? targetType = null, DateTimeOffset? from = null, DateTimeOffset? to = null, string? search = null)
    {
        var errors = Validate(action, targetType, from, to, search);
        await database.AsUserAsync(caller.Id, async session =>
        {
            var (scope, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ViewAudit);
            if (denied is not null || errors.Any)
            {
                await ((IResult?)denied ?? errors.ToResult()).ExecuteAsync(context);
                return false;
            }
            var response = context.Response;
            response.ContentType = "text/csv; charset=utf-8";
            var fileName = string.Create(CultureInfo.InvariantCulture, $"audit-log-{scope!.Tenant.Slug}-{DateTime.UtcNow:yyyy-MM-dd}.csv");
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            response.Headers.CacheControl = "no-store";
            await foreach (var line in audit.StreamCsvRowsAsync(session, Query(id, action, targetType, from, to, search), ct))
            {
                await response.WriteAsync(line, ct);
            }
            return true;
        }, ct);
    }

    private static AuditQuery Query(Guid tenantId, string? action, string? targetType, DateTimeOffset? from, DateTimeOffset? to, string? search) =>
        new(TenantId: tenantId, Action: Blank(action), TargetType: Blank(targetType), From: from?.UtcDateTime, To: to?.UtcDateTime, Search: Blank(search));

    private static FieldErrors Validate(string? action, string? targetType, DateTimeOffset? from, DateTimeOffset? to, string? search)
    {
        var errors = new FieldErrors();
        errors.MaxLength(action, 100, "action");
        errors.MaxLength(targetType, 100, "targetType");
        errors.MaxLength(search, 200, "search");
        errors.Check(from is null || to is null || from < to, "to", "Must be after 'from'.");
        return errors;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
