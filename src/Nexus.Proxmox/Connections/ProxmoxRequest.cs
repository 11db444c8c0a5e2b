using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Timeouts;

namespace Nexus.Proxmox.Connections;

/// <summary>One API call as the pipeline sees it; rebuilt into a fresh HttpRequestMessage per attempt.</summary>
internal sealed record ProxmoxRequest(
    HttpMethod Method,
    string Path,
    RequestClass RequestClass,
    bool Idempotent,
    IReadOnlyList<KeyValuePair<string, string>>? Form = null)
{
    public static ProxmoxRequest Get(string path, RequestClass requestClass) => new(HttpMethod.Get, path, requestClass, true);

    public static ProxmoxRequest Post(string path, RequestClass requestClass, params KeyValuePair<string, string>[] form) =>
        new(HttpMethod.Post, path, requestClass, false, form);
}

/// <summary>What one endpoint answered, whatever the status.</summary>
internal sealed record RawResponse(int StatusCode, string? ReasonPhrase, byte[] Body, ProxmoxEndpoint Endpoint, TimeSpan Latency, int Attempts)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
