using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Nexus.Web.Tests.Support;

/// <summary>The REST API as one signed-in user, for the set-up a journey needs before the browser takes over.</summary>
internal sealed class ApiSession : IDisposable
{
    private readonly HttpClient _http;

    private ApiSession(HttpClient http) => _http = http;

    public static async Task<ApiSession> SignInAsync(Uri baseAddress, string email, string password)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var login = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { email, password });
        var body = await ReadAsync(login);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("accessToken").GetString());
        return new ApiSession(http);
    }

    public async Task<JsonElement> PostAsync(string path, object body) =>
        await ReadAsync(await _http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body));

    public async Task<JsonElement> PutAsync(string path, object body) =>
        await ReadAsync(await _http.PutAsJsonAsync(new Uri(path, UriKind.Relative), body));

    /// <summary>The answer as it came, for a test that expects a refusal.</summary>
    public Task<HttpResponseMessage> SendPutAsync(string path, object body) => _http.PutAsJsonAsync(new Uri(path, UriKind.Relative), body);

    public async Task<JsonElement> GetAsync(string path) => await ReadAsync(await _http.GetAsync(new Uri(path, UriKind.Relative)));

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
