using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Nexus.Simulator.Api;

/// <summary>
/// Writes responses in pveproxy's shapes: <c>{"data":…}</c> on success; on failure <c>{"data":null}</c> plus
/// <c>errors</c> (400 only) and <c>message</c> (libpve-http-server-perl ≥ 5.2.0), the message's first line
/// as the reason phrase, and <c>Connection: close</c> for every status ≥ 400.
/// </summary>
internal static class ApiResponses
{
    private const string JsonType = "application/json;charset=UTF-8";

    // Perl's JSON writes quotes, '<', '+' … as they are; only what JSON requires is escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    internal static readonly JsonSerializerOptions SerializerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteDataAsync(HttpContext context, ApiReply reply)
    {
        var response = context.Response;
        response.StatusCode = 200;
        StandardHeaders(response);
        response.ContentType = JsonType;
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("data");
            if (reply.Writer is not null)
            {
                reply.Writer(writer);
            }
            else if (reply.Data is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                reply.Data.WriteTo(writer);
            }
            if (reply.Total is { } total)
            {
                writer.WriteNumber("total", total);
            }
            writer.WriteEndObject();
        }
        response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(response.Body, context.RequestAborted);
    }

    public static Task WriteErrorAsync(HttpContext context, ApiException error, bool legacyBody)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        SetReason(context, error.Message);
        StandardHeaders(response);
        response.Headers.Connection = "close";
        response.ContentType = JsonType;
        var body = new JsonObject { ["data"] = null };
        if (error.Errors is { Count: > 0 } errors)
        {
            var map = new JsonObject();
            foreach (var (key, value) in errors)
            {
                map[key] = value;
            }
            body["errors"] = map;
        }
        if (!legacyBody)
        {
            // 501s carry the bare text; handler and permission errors end in a newline (Perl die "…\n").
            body["message"] = error.Status == 501 ? error.Message : error.Message + "\n";
        }
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, SerializerOptions);
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    /// <summary>Authentication-stage failures: 401 with the reason phrase and no body at all.</summary>
    public static Task WriteAuthFailureAsync(HttpContext context, string reason)
    {
        var response = context.Response;
        response.StatusCode = 401;
        SetReason(context, reason);
        response.Headers.Server = "pve-api-daemon/3.0";
        response.Headers.Connection = "close";
        response.ContentLength = 0;
        return Task.CompletedTask;
    }

    public static void SetReason(HttpContext context, string message)
    {
        var feature = context.Features.Get<IHttpResponseFeature>();
        if (feature is null)
        {
            return;
        }
        var line = message.Split('\n', 2)[0];
        feature.ReasonPhrase = new string(line.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
    }

    private static void StandardHeaders(HttpResponse response)
    {
        response.Headers.Server = "pve-api-daemon/3.0";
        response.Headers.CacheControl = "max-age=0";
        response.Headers.Pragma = "no-cache";
        response.Headers.Expires = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture);
    }
}

/// <summary>A handler's successful result: a JSON value, or a writer for large pre-rendered lists.</summary>
internal sealed record ApiReply(JsonNode? Data, Action<Utf8JsonWriter>? Writer = null, int? Total = null)
{
    /// <summary>The handler already wrote the response (WebSocket upgrade).</summary>
    public static readonly ApiReply Handled = new((JsonNode?)null);

    public static ApiReply Of(JsonNode? data) => new(data);
}
