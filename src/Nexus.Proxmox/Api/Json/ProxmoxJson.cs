using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Proxmox.Api.Json;

/// <summary>
/// Deserialization that tolerates Proxmox's Perl-made JSON (proxmox-api.md §2.14): booleans as 0/1, numbers as
/// strings (vncproxy <c>port</c>), strings as numbers (task <c>id</c>), absent optional fields.
/// </summary>
internal static class ProxmoxJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new LenientBooleanConverter());
        options.Converters.Add(new LenientStringConverter());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// Reads <c>{"data": …}</c> from the UTF-8 body and returns <c>data</c> as <typeparamref name="T"/>, in one pass:
    /// no string of the body and no document object model (a poll of a 50-guest cluster used to allocate both).
    /// </summary>
    public static T ReadData<T>(ReadOnlySpan<byte> utf8)
    {
        var envelope = JsonSerializer.Deserialize<DataEnvelope<T>>(utf8, Options)
            ?? throw new JsonException("The response has no 'data' member.");
        return envelope.Data ?? throw new JsonException($"The response's 'data' is null; expected {typeof(T).Name}.");
    }

    /// <summary>The same for a body already read as text (the connectivity test's hand-written exchange).</summary>
    public static T ReadData<T>(string body) => ReadData<T>(Encoding.UTF8.GetBytes(body));

    /// <summary>Proxmox's answer shape; other members (<c>success</c>, <c>message</c>) are skipped.</summary>
    private sealed class DataEnvelope<T>
    {
        [JsonRequired]
        public T? Data { get; set; }
    }

    /// <summary>The body's <c>message</c> and <c>errors</c>, when it is JSON at all (a 401 has no body).</summary>
    public static (string? Message, IReadOnlyDictionary<string, string>? Errors) ReadError(byte[] body) =>
        ReadError(Encoding.UTF8.GetString(body));

    /// <summary>The body's <c>message</c> and <c>errors</c>, when it is JSON at all (a 401 has no body).</summary>
    public static (string? Message, IReadOnlyDictionary<string, string>? Errors) ReadError(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()?.Trim() : null;
            Dictionary<string, string>? errors = null;
            if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                errors = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in e.EnumerateObject())
                {
                    errors[property.Name] = (property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText())?.Trim() ?? string.Empty;
                }
            }
            return (message, errors);
        }
        catch (JsonException)
        {
            // Pre-2025 plain error() responses carry text, not JSON.
            return (body.Trim(), null);
        }
    }

    internal sealed class LenientBooleanConverter : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType switch
            {
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                JsonTokenType.Number => reader.TryGetInt64(out var n) ? n != 0 : reader.GetDouble() != 0,
                // The same words JSONSchema::parse_boolean accepts.
                JsonTokenType.String => reader.GetString()?.Trim().ToUpperInvariant() switch
                {
                    "1" or "ON" or "YES" or "TRUE" => true,
                    "0" or "OFF" or "NO" or "FALSE" or "" => false,
                    var other => throw new JsonException($"'{other}' is not a boolean."),
                },
                _ => throw new JsonException($"A {reader.TokenType} is not a boolean."),
            };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    internal sealed class LenientStringConverter : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Number => reader.TryGetInt64(out var n)
                    ? n.ToString(CultureInfo.InvariantCulture)
                    : reader.GetDouble().ToString("R", CultureInfo.InvariantCulture),
                JsonTokenType.True => "1",
                JsonTokenType.False => "0",
                _ => throw new JsonException($"A {reader.TokenType} is not a string."),
            };

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
