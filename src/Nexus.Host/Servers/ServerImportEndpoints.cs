using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Data;
using Nexus.Data.Access;
using Nexus.Data.Servers;
using Nexus.Grains.Authorization;
using Nexus.Host.Tenants;
using Nexus.Host.Web;

namespace Nexus.Host.Servers;

/// <summary>One record's outcome: <c>created</c> (with the new id) or <c>failed</c> (with why). Row = line in the file.</summary>
internal sealed record ImportRowResult(int Row, string? Name, string Status, string? Error, Guid? ServerId);

internal sealed record ImportResult(int Created, int Failed, IReadOnlyList<ImportRowResult> Rows, IReadOnlyList<string> IgnoredColumns);

/// <summary>
/// <c>POST /api/tenants/{id}/servers/import</c>: a CSV file (raw <c>text/csv</c> body, or the first file of a
/// multipart form) of at most 1 MiB and 1000 records. Each record is validated and added in its own unit of
/// work, so a bad record never blocks the good ones; the quota is checked per record against the slots left.
/// </summary>
internal static class ServerImportEndpoints
{
    public const int MaxBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapServerImportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/tenants/{id:guid}/servers/import", ImportAsync)
            .WithTags("Servers").RequireAuthorization().DisableAntiforgery();
        return endpoints;
    }

    private static async Task<Results<Ok<ImportResult>, ProblemHttpResult>> ImportAsync(
        Guid id, CurrentUser caller, HttpContext context, INexusDatabase database, TenantGate gate,
        ServerRegistration registration, ServerGrains grains, InventoryOptions inventory, CancellationToken ct)
    {
        var (_, denied) = await database.AsUserAsync(caller.Id, session => gate.CheckAsync(session, caller, id, TenantAction.AddServer), ct);
        if (denied is not null)
        {
            return denied;
        }
        var bytes = await ReadUploadAsync(context, ct);
        if (bytes is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"The file may be at most {MaxBytes / 1024} KiB.");
        }
        CsvServerFile file;
        try
        {
            file = ServerCsv.Parse(bytes);
        }
        catch (CsvFileException ex)
        {
            return Problems.BadRequest(ex.Message);
        }

        var results = file.Unreadable.Select(u => new ImportRowResult(u.Row, null, "failed", u.Error, null)).ToList();
        var created = new List<ServerRecord>();
        var client = ClientInfo.From(context);
        foreach (var row in file.Rows)
        {
            var name = row.Values.GetValueOrDefault("name");
            var request = ServerCsv.ToRequest(row, out var csvError);
            if (request is null)
            {
                results.Add(new ImportRowResult(row.Row, name, "failed", csvError, null));
                continue;
            }
            var errors = new FieldErrors();
            var input = ServerInput.Validate(request, null, errors, inventory);
            if (input is null)
            {
                var messages = errors.ToResult().ProblemDetails.Errors
                    .SelectMany(e => e.Value.Select(m => $"{ServerCsv.Column(e.Key)}: {m}"));
                results.Add(new ImportRowResult(row.Row, name, "failed", string.Join(" ", messages), null));
                continue;
            }
            AddServerOutcome outcome;
            try
            {
                outcome = await database.AsUserAsync(caller.Id, session =>
                    registration.AddAsync(session, id, caller.Id, input, ServerAudit.Imported, new { row = row.Row, input.Draft.Host, input.Draft.Port, input.Draft.TokenId }, client), ct);
            }
            catch (DuplicateException ex) when (ex.Constraint == ServerStore.DuplicateConstraint)
            {
                outcome = AddServerOutcome.Refused(ServerRegistration.Duplicate(input.Draft.Host, input.Draft.Port));
            }
            if (outcome.Server is { } server)
            {
                created.Add(server);
                results.Add(new ImportRowResult(row.Row, server.Name, "created", null, server.Id));
            }
            else
            {
                results.Add(new ImportRowResult(row.Row, name, "failed", outcome.Refusal, null));
            }
        }
        await Task.WhenAll(created.Select(s => grains.ApplyAsync(s.Id, s.IsActive)));
        results.Sort((a, b) => a.Row.CompareTo(b.Row));
        return TypedResults.Ok(new ImportResult(created.Count, results.Count - created.Count, results, file.IgnoredColumns));
    }

    /// <summary>The uploaded bytes, or null when there are more than <see cref="MaxBytes"/>.</summary>
    private static async Task<byte[]?> ReadUploadAsync(HttpContext context, CancellationToken ct)
    {
        var request = context.Request;
        Stream source = request.Body;
        if (request.HasFormContentType)
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxBytes + (64 * 1024);
            }
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (Exception ex) when (ex is BadHttpRequestException or InvalidDataException)
            {
                return null;
            }
            if (form.Files.Count == 0)
            {
                return [];
            }
            if (form.Files[0].Length > MaxBytes)
            {
                return null;
            }
            source = form.Files[0].OpenReadStream();
        }
        // The form file's stream is ours to close; the request body is not.
        await using (source == request.Body ? null : source)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await source.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }
}
