using System.Text.Json;
using Nexus.Data.Audit;
using Nexus.Host.Web;

namespace Nexus.Host.Audit;

/// <summary>Builds audit rows the same way everywhere: details as a JSON object, client address and agent from the request.</summary>
internal static class AuditEntries
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static AuditEntry Create(
        Guid? tenantId, Guid? actorId, string action, string? targetType, string? targetId, string? targetName,
        AuditOutcome outcome, object? details, ClientInfo client) =>
        new(tenantId, actorId, action, outcome, targetType, targetId, Truncate(targetName, 500),
            details is null ? null : JsonSerializer.Serialize(details, Json), client.IpAddress, client.UserAgent);

    private static string? Truncate(string? value, int max) => value is { Length: > 0 } v && v.Length > max ? v[..max] : value;
}
