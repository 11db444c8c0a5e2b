using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Tests.Live;
using Nexus.Tests.Servers;

namespace Nexus.Tests.Observability;

/// <summary>
/// Spans exported over OTLP to a real receiver on loopback: the hub's access token (a query value) and SQL
/// parameter values never leave the process.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed class TraceRedactionTests
{
    [Fact]
    public async Task Exported_spans_carry_neither_the_hubs_access_token_nor_sql_parameter_values()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = await ServerTestWorld.StartAsync(simulator: false,
            $"--Nexus:Observability:OtlpEndpoint={receiver.BaseAddress}",
            "--Nexus:Observability:OtlpProtocol=http/protobuf");
        var token = host.Admin.AccessToken!;
        await using (var client = await LiveClient.ConnectAsync(host.Http.BaseAddress!, token))
        {
            await client.LeaveAsync(Guid.NewGuid());
        }
        // Stopping flushes the batch exporter.
        await host.StopHostAsync();

        var traces = receiver.Bodies("/v1/traces");
        Assert.NotEmpty(traces);
        var exported = string.Join('\n', traces.Select(b => Encoding.UTF8.GetString(b)));
        // The recording works: the hub's request is there, its query names kept and values dropped.
        Assert.Contains("/hubs/live", exported, StringComparison.Ordinal);
        Assert.Contains("access_token=Redacted", exported, StringComparison.Ordinal);
        Assert.Contains("nexus.users", exported, StringComparison.Ordinal);
        var signature = token[(token.LastIndexOf('.') + 1)..];
        Assert.DoesNotContain(signature, exported, StringComparison.Ordinal);
        // The sign-in looked the account up by its email, a parameter of that query.
        Assert.DoesNotContain(ServerTestWorld.AdminEmail, exported, StringComparison.Ordinal);
    }

    /// <summary>An OTLP/HTTP endpoint that keeps every request body it receives.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received;

        private OtlpReceiver(WebApplication app, ConcurrentQueue<(string, byte[])> received)
        {
            _app = app;
            _received = received;
            BaseAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        }

        public string BaseAddress { get; }

        public static async Task<OtlpReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var received = new ConcurrentQueue<(string, byte[])>();
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                received.Enqueue((context.Request.Path.Value!, body.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            return new OtlpReceiver(app, received);
        }

        public IReadOnlyList<byte[]> Bodies(string path) => _received.Where(r => r.Path == path).Select(r => r.Body).ToList();

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
