using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace Nexus.Tests.Deploy;

/// <summary>One REST call as the client saw it: when it started, every failed attempt, and how it ended.</summary>
internal sealed record RestCall(string Method, string Path, DateTime StartedAt, IReadOnlyList<(DateTime At, string What)> Failures, int? FinalStatus)
{
    public bool Succeeded => FinalStatus is >= 200 and < 300;
}

/// <summary>
/// REST calls as the web client makes them behind a load balancer. A request that is safe to repeat (GET, HEAD, PUT,
/// DELETE) and fails with 502, 503 or 504, or gets no answer at all (connection refused or reset, timeout), is sent
/// again up to 3 times, after 100, 200 and 400 ms. Other requests are sent once. Every call is recorded.
/// </summary>
internal sealed class RetryingApiClient(HttpClient http, string accessToken)
{
    private static readonly HashSet<HttpStatusCode> Retryable = [HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout];
    private readonly ConcurrentQueue<RestCall> _calls = new();

    public IReadOnlyList<RestCall> Calls => [.. _calls];

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Sends, retrying when the method is idempotent; throws when even the last attempt got no answer.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path)
    {
        var failures = new ConcurrentQueue<(DateTime, string)>();
        var started = DateTime.UtcNow;
        var idempotent = method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Put || method == HttpMethod.Delete;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = idempotent ? 3 : 0,
                Delay = TimeSpan.FromMilliseconds(100),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TaskCanceledException>()
                    .HandleResult(response => Retryable.Contains(response.StatusCode)),
                OnRetry = retry =>
                {
                    failures.Enqueue((DateTime.UtcNow, retry.Outcome.Exception?.GetType().Name ?? ((int)retry.Outcome.Result!.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    retry.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .Build();
        try
        {
            var response = await pipeline.ExecuteAsync(async ct =>
            {
                using var request = new HttpRequestMessage(method, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
                return await http.SendAsync(request, ct);
            });
            if (!response.IsSuccessStatusCode)
            {
                failures.Enqueue((DateTime.UtcNow, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            _calls.Enqueue(new RestCall(method.Method, path, started, [.. failures], (int)response.StatusCode));
            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            failures.Enqueue((DateTime.UtcNow, ex.GetType().Name));
            _calls.Enqueue(new RestCall(method.Method, path, started, [.. failures], null));
            throw;
        }
    }
}
