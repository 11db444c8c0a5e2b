using System.Text.Json.Serialization;
using Nexus.Data.Servers;

namespace Nexus.Host.Servers;

/// <summary>How the server's certificate is trusted: <c>pinned</c> (fingerprints), <c>ca</c> (cluster CA PEM) or <c>system</c>.</summary>
internal sealed record ServerTrustDto(string Mode, IReadOnlyList<string> Fingerprints, string? CaPem)
{
    public static ServerTrustDto From(ServerRecord server) => new(ServerTrustModes.Name(server.TrustMode), server.PinnedFingerprints, server.CaPem);
}

/// <summary>
/// A server as the API answers it. The API token is never part of an answer: <see cref="TokenId"/>
/// (<c>root@pam!nexus</c>) says which token is stored.
/// </summary>
internal sealed record ServerDto(
    Guid Id,
    Guid TenantId,
    string Name,
    string Host,
    int Port,
    string? SecondaryHost,
    int? SecondaryPort,
    string? TokenId,
    ServerTrustDto Trust,
    bool IsActive,
    int? ConnectionTimeoutMs,
    int? PollIntervalSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ServerDto From(ServerRecord server) => new(
        server.Id, server.TenantId, server.Name, server.Host, server.Port, server.SecondaryHost, server.SecondaryPort,
        server.TokenId, ServerTrustDto.From(server), server.IsActive, server.ConnectionTimeoutMs, server.PollIntervalSeconds,
        new DateTimeOffset(server.CreatedAt, TimeSpan.Zero), new DateTimeOffset(server.UpdatedAt, TimeSpan.Zero));
}

/// <summary>The trust choice in a request. Pins come from <c>POST /api/servers/probe-certificate</c>.</summary>
internal sealed record ServerTrustRequest(string? Mode, IReadOnlyList<string>? Fingerprints, string? CaPem);

/// <summary>
/// Create (all required fields) or edit (only the fields present change). On edit: an absent
/// or blank <see cref="ApiToken"/> keeps the stored token; <c>secondaryHost: ""</c> removes the secondary endpoint;
/// <c>connectionTimeoutMs: 0</c> and <c>pollIntervalSeconds: 0</c> go back to the tenant's defaults; a new
/// <see cref="Trust"/> (e.g. new pins after a certificate renewal) replaces the old one.
/// </summary>
internal sealed record ServerRequest(
    string? Name,
    string? Host,
    int? Port,
    [property: JsonPropertyName("apiToken")] string? ApiToken,
    ServerTrustRequest? Trust,
    string? SecondaryHost,
    int? SecondaryPort,
    bool? IsActive,
    int? ConnectionTimeoutMs,
    int? PollIntervalSeconds);

internal static class ServerTrustModes
{
    public const string Pinned = "pinned";
    public const string Ca = "ca";
    public const string System = "system";

    public static string Name(ServerTrustMode mode) => mode switch
    {
        ServerTrustMode.Pinned => Pinned,
        ServerTrustMode.ClusterCa => Ca,
        _ => System,
    };

    public static ServerTrustMode? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        Pinned => ServerTrustMode.Pinned,
        Ca => ServerTrustMode.ClusterCa,
        System => ServerTrustMode.SystemStore,
        _ => null,
    };
}
