using System.Diagnostics;
using System.Text.Json;

namespace Nexus.Benchmarks.Live;

/// <summary>
/// The prototype's design: every client reloads its tenant's state over REST every 15 s. Here each poller
/// fetches <c>GET /api/tenants/{id}/live</c> (every VM of the tenant, and the tenant's event version read before
/// the state) at a random phase, then every 15 s. A poll that returns version V after the previous poll's V'
/// is the first sight of every event in (V', V]: its staleness is the poll's receipt time minus that event's
/// publish time, taken from the push reference clients' log (measured, not modelled).
/// </summary>
internal sealed class SnapshotPollers(IReadOnlyList<HttpClient> hosts, IReadOnlyList<Guid> tenants, TimeSpan period)
{
    private readonly List<Observation> _observations = [];
    private readonly List<double> _requestMs = [];
    private long _failures;

    public long Failures => Interlocked.Read(ref _failures);

    public IReadOnlyList<double> RequestMilliseconds => _requestMs;

    /// <summary>Runs <paramref name="pollers"/> pollers until <paramref name="until"/>; poller i polls tenant i mod tenants through host i mod hosts.</summary>
    public Task RunAsync(int pollers, DateTimeOffset until, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, pollers).Select(i => PollAsync(i, until, cancellationToken)));

    /// <summary>Polls that saw a previous version, received within [from, to).</summary>
    public IReadOnlyList<Observation> Observations(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_observations)
        {
            return _observations.Where(o => o.ReceivedAt >= from && o.ReceivedAt < to).ToArray();
        }
    }

    private async Task PollAsync(int index, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var tenant = index % tenants.Count;
        var http = hosts[index % hosts.Count];
        var path = $"/api/tenants/{tenants[tenant]}/live";
        var next = DateTimeOffset.UtcNow + period * Random.Shared.NextDouble();
        long previous = -1;
        while (true)
        {
            var wait = next - DateTimeOffset.UtcNow;
            if (next >= until)
            {
                return;
            }
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            next += period;
            var started = Stopwatch.GetTimestamp();
            long version;
            try
            {
                using var response = await http.GetAsync(path, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _failures);
                    continue;
                }
                version = VersionOf(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref _failures);
                continue;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failures);
                continue;
            }
            var receivedAt = DateTimeOffset.UtcNow;
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (_observations)
            {
                _requestMs.Add(elapsed);
                if (previous >= 0)
                {
                    _observations.Add(new Observation(tenant, previous, version, receivedAt));
                }
            }
            previous = Math.Max(previous, version);
        }
    }

    /// <summary>The snapshot's top-level <c>version</c>; the rest of the body (every VM) is read but not parsed.</summary>
    private static long VersionOf(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("version"))
            {
                reader.Read();
                return reader.GetInt64();
            }
            if (reader.CurrentDepth >= 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }
        throw new JsonException("the snapshot has no version");
    }

    /// <summary>A poll of <paramref name="Tenant"/> that moved the poller from version <paramref name="From"/> to <paramref name="To"/>.</summary>
    internal sealed record Observation(int Tenant, long From, long To, DateTimeOffset ReceivedAt);
}
