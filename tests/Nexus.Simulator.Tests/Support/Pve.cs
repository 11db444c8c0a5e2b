using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexus.Simulator.Tests.Support;

/// <summary>
/// Raw protocol access for conformance tests: a plain HttpClient over real TLS that pins the node fingerprint
/// published by the simulator (like Nexus and PDM do), and helpers to send PVE-style requests.
/// Nothing here uses the simulator's own request helpers.
/// </summary>
internal static class Pve
{
    public static HttpClient Client(Uri baseUrl, string? expectedFingerprint = null, Action<string>? seenFingerprint = null, bool cookies = false)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = cookies,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }
                    var fingerprint = string.Join(':', SHA256.HashData(certificate.GetRawCertData()).Select(b => b.ToString("X2")));
                    seenFingerprint?.Invoke(fingerprint);
                    return expectedFingerprint is null || fingerprint == expectedFingerprint;
                },
            },
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        return new HttpClient(handler) { BaseAddress = new Uri(baseUrl, "api2/json/"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token = null, IDictionary<string, string>? form = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", token);
        }
        if (form is not null)
        {
            request.Content = new FormUrlEncodedContent(form);
        }
        return request;
    }

    public static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string token) =>
        await client.SendAsync(Request(HttpMethod.Get, path, token));

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string token, IDictionary<string, string>? form = null) =>
        await client.SendAsync(Request(HttpMethod.Post, path, token, form ?? new Dictionary<string, string>()));

    /// <summary>The <c>data</c> member of a 200 response (fails the test otherwise).</summary>
    public static async Task<JsonNode?> DataAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {response.ReasonPhrase}: {body}");
        return JsonNode.Parse(body)!["data"];
    }

    public static async Task<JsonObject> BodyAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public static async Task<JsonNode?> GetDataAsync(HttpClient client, string path, string token) =>
        await DataAsync(await GetAsync(client, path, token));

    /// <summary>Polls a task until it stops; returns its final status object.</summary>
    public static async Task<JsonObject> WaitForTaskAsync(HttpClient client, string node, string upid, string token, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var status = (await GetDataAsync(client, $"nodes/{node}/tasks/{Uri.EscapeDataString(upid)}/status", token))!.AsObject();
            if (status["status"]!.GetValue<string>() == "stopped")
            {
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"task {upid} still running");
            await Task.Delay(50);
        }
    }

    public static bool IsJsonString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    public static bool IsJsonNumber(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number;

    public static string Cookie(string ticket) => $"PVEAuthCookie={Uri.EscapeDataString(ticket)}";

    public static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}
