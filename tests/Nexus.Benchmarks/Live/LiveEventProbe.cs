using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Benchmarks.Live;

/// <summary>
/// What the benchmark keeps of one hub <c>event</c> (<c>{ tenantId, version, at, type, body }</c>, Live/README.md):
/// the envelope, and for <c>vmStatesChanged</c> the number of changed guests. The body is skipped, not
/// materialized: 2,000 clients in this process parse every event, and what they cost is measured as well.
/// </summary>
[JsonConverter(typeof(LiveEventProbeConverter))]
internal sealed record LiveEventProbe(Guid TenantId, long Version, DateTimeOffset At, string Type, int ChangedGuests)
{
    public const string VmStatesChanged = "vmStatesChanged";
}

/// <summary>Reads the envelope and counts <c>body.changed</c> without building the guests.</summary>
internal sealed class LiveEventProbeConverter : JsonConverter<LiveEventProbe>
{
    public override LiveEventProbe Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("an event is an object");
        }
        Guid tenantId = default;
        long version = 0;
        DateTimeOffset at = default;
        string type = "";
        var changed = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "tenantId":
                    tenantId = reader.GetGuid();
                    break;
                case "version":
                    version = reader.GetInt64();
                    break;
                case "at":
                    at = reader.GetDateTimeOffset();
                    break;
                case "type":
                    type = reader.GetString() ?? "";
                    break;
                case "body" when reader.TokenType == JsonTokenType.StartObject:
                    changed = CountChanged(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return new LiveEventProbe(tenantId, version, at, type, changed);
    }

    public override void Write(Utf8JsonWriter writer, LiveEventProbe value, JsonSerializerOptions options) =>
        throw new NotSupportedException("the benchmark only receives events");

    private static int CountChanged(ref Utf8JsonReader reader)
    {
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isChanged = reader.ValueTextEquals("changed");
            reader.Read();
            if (isChanged && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    count++;
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }
        return count;
    }
}
