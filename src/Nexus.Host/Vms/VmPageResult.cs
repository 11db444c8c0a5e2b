using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Nexus.Host.Vms;

/// <summary>
/// A 200 with a <see cref="VmPage"/>, written by the source-generated serializer's fast path. The listing is the
/// API's hottest response (50 rows of 24 fields, thousands of times a second under load): the reflection-based
/// serializer that <c>TypedResults.Ok</c> uses spent about a quarter of the host's CPU on it, mostly in its
/// per-property bookkeeping, and its garbage triggered most collections. The output is the same JSON (web
/// defaults: camelCase, nulls written; the API's string escaping; the page holds no enums, so the API's enum
/// converter does not apply), which a test compares with the API's serializer.
/// </summary>
internal sealed class VmPageResult(VmPage page) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<VmPage>
{
    public VmPage Value => page;

    object? IValueHttpResult.Value => page;

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        Write(response.BodyWriter, page, httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    /// <summary>Writes the page as <paramref name="api"/> would, through the fast path.</summary>
    public static void Write(IBufferWriter<byte> output, VmPage page, JsonSerializerOptions api)
    {
        // The writer decides how strings are escaped: as the API's serializer does.
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = api.Encoder, Indented = api.WriteIndented });
        JsonSerializer.Serialize(writer, page, VmJsonContext.Default.VmPage);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(VmPage), ["application/json"]));
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(VmPage))]
internal sealed partial class VmJsonContext : JsonSerializerContext;
