using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Tenants;
using Nexus.Grains.Authorization;
using Nexus.Host.Audit;
using Nexus.Host.Web;

namespace Nexus.Host.Tenants;

internal sealed record LogoDto(string Url, string ContentType, string Sha256);

/// <summary>
/// <c>/api/tenants/{id}/logo</c>: the tenant's admins upload (the raw image as the request body) and delete it;
/// members fetch it. Served with its SHA-256 as ETag; the URL in the settings carries the hash as <c>?v=</c>, and
/// such a versioned URL may be cached for a year because its bytes never change.
/// </summary>
internal static class TenantLogoEndpoints
{
    public static string UrlFor(Guid tenantId, string sha256) => $"/api/tenants/{tenantId}/logo?v={sha256[..16]}";

    public static IEndpointRouteBuilder MapTenantLogoEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/tenants/{id:guid}/logo").WithTags("Tenant settings").RequireAuthorization();
        group.MapGet("", GetAsync).Produces(StatusCodes.Status200OK, typeof(byte[]), "image/png", "image/jpeg", "image/webp");
        group.MapPut("", PutAsync).Accepts<byte[]>("image/png", "image/jpeg", "image/webp");
        group.MapDelete("", DeleteAsync);
        return endpoints;
    }

    private static async Task<IResult> GetAsync(
        Guid id, HttpContext context, CurrentUser caller, INexusDatabase database, TenantGate gate, TenantLogoStore logos, CancellationToken ct, string? v = null) =>
        await database.AsUserAsync<IResult>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.View);
            if (denied is not null)
            {
                return denied;
            }
            var logo = await logos.GetAsync(session, id);
            if (logo is null)
            {
                return Problems.NotFound("The logo");
            }
            var etag = new EntityTagHeaderValue($"\"{logo.Sha256}\"");
            var response = context.Response.GetTypedHeaders();
            response.ETag = etag;
            // Private: the logo is only for the tenant's members, so no shared cache may keep it.
            response.CacheControl = v is not null && logo.Sha256.StartsWith(v, StringComparison.Ordinal)
                ? new CacheControlHeaderValue { Private = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new NameValueHeaderValue("immutable") } }
                : new CacheControlHeaderValue { Private = true, NoCache = true };
            context.Response.Headers.XContentTypeOptions = "nosniff";
            var requested = context.Request.GetTypedHeaders().IfNoneMatch;
            if (requested.Any(t => t.Compare(etag, useStrongComparison: false)))
            {
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }
            return TypedResults.File(logo.Bytes, logo.ContentType);
        }, ct);

    private static async Task<Results<Ok<LogoDto>, ProblemHttpResult>> PutAsync(
        Guid id, HttpContext context, CurrentUser caller, INexusDatabase database, TenantGate gate, TenantLogoStore logos, AuditLog audit, CancellationToken ct)
    {
        var (bytes, tooLarge) = await ReadBodyAsync(context.Request, TenantLogoStore.MaxBytes, ct);
        return await database.AsUserAsync<Results<Ok<LogoDto>, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageSettings);
            if (denied is not null)
            {
                return denied;
            }
            if (tooLarge)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Logo too large",
                    detail: $"A logo is at most {TenantLogoStore.MaxBytes / 1024 / 1024} MiB.");
            }
            if (LogoFormat.Detect(bytes) is not { } contentType)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported logo format",
                    detail: "A logo must be a PNG, JPEG or WebP image (SVG is not accepted).");
            }
            var sha256 = await logos.PutAsync(session, id, contentType, bytes);
            await audit.WriteAsync(session, AuditEntries.Create(id, caller.Id, AuditActions.LogoUpdated, AuditTargets.Settings,
                id.ToString(), "Tenant logo", AuditOutcome.Success, new { contentType, bytes = bytes.Length, sha256 }, ClientInfo.From(context)));
            return TypedResults.Ok(new LogoDto(UrlFor(id, sha256), contentType, sha256));
        }, ct);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, HttpContext context, CurrentUser caller, INexusDatabase database, TenantGate gate, TenantLogoStore logos, AuditLog audit, CancellationToken ct) =>
        await database.AsUserAsync<Results<NoContent, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageSettings);
            if (denied is not null)
            {
                return denied;
            }
            if (!await logos.DeleteAsync(session, id))
            {
                return Problems.NotFound("The logo");
            }
            await audit.WriteAsync(session, AuditEntries.Create(id, caller.Id, AuditActions.LogoDeleted, AuditTargets.Settings,
                id.ToString(), "Tenant logo", AuditOutcome.Success, null, ClientInfo.From(context)));
            return TypedResults.NoContent();
        }, ct);

    /// <summary>Reads at most <paramref name="max"/> bytes; stops early and says so when the body is longer.</summary>
    private static async Task<(byte[] Bytes, bool TooLarge)> ReadBodyAsync(HttpRequest request, int max, CancellationToken ct)
    {
        if (request.ContentLength > max)
        {
            return ([], true);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return ([], true);
            }
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), false);
    }
}
