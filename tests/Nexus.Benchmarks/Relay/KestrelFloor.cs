using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexus.Benchmarks.Hosting;
using Nexus.Benchmarks.Reporting;

namespace Nexus.Benchmarks.Relay;

/// <summary>
/// What one idle WebSocket accepted by Kestrel costs the platform alone, the floor under the browser leg of every relayed
/// console: a separate process (this assembly, <c>kestrel-floor PORT</c>, Server GC like the host) accepts WebSockets on
/// plain HTTP/1.1 and waits on each with a zero-byte receive, as the pump does; this process opens them and asks the child
/// for its resident set, GC-committed memory and managed heap (after a compacting full GC) with a tenth and with all of
/// them open. Nothing else lives in that process, so the figure is ASP.NET Core's, not Nexus's.
/// </summary>
internal static partial class KestrelFloor
{
    public const string Command = "kestrel-floor";

    /// <summary>Runs the child, opens <paramref name="count"/> WebSockets to it and returns its cost per connection.</summary>
    public static async Task<IReadOnlyList<Measurement>> MeasureAsync(string scenario, int count, CancellationToken cancellationToken)
    {
        var port = ChildProcess.FreePort();
        await using var child = ChildProcess.Start(typeof(KestrelFloor).Assembly.Location,
            [Command, port.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" });
        await child.WaitForAsync(Listening(), TimeSpan.FromMinutes(1), cancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var sockets = new List<ClientWebSocket>();
        try
        {
            var warm = Math.Max(1, count / 10);
            await OpenAsync(sockets, port, warm, cancellationToken);
            var before = await StatsAsync(http, cancellationToken);
            await OpenAsync(sockets, port, count - warm, cancellationToken);
            var after = await StatsAsync(http, cancellationToken);
            var added = count - warm;
            var label = $"platform floor: {count} idle WebSockets accepted by Kestrel (HTTP/1.1, a zero-byte receive pending, Server GC), own process";
            return
            [
                new(scenario, label, "RSS per connection (beyond the first tenth)", (after[0] - before[0]) / 1024.0 / added, "KiB"),
                new(scenario, label, "GC-committed memory per connection (beyond the first tenth)", (after[1] - before[1]) / 1024.0 / added, "KiB"),
                new(scenario, label, "managed heap per connection (beyond the first tenth)", (after[2] - before[2]) / 1024.0 / added, "KiB"),
            ];
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Abort();
                socket.Dispose();
            }
        }
    }

    private static async Task OpenAsync(List<ClientWebSocket> sockets, int port, int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            var socket = new ClientWebSocket();
            sockets.Add(socket);
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), cancellationToken);
        }
    }

    private static async Task<long[]> StatsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var text = await http.GetStringAsync("stats", cancellationToken);
        return [.. text.Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture))];
    }

    /// <summary>The child's side: <c>kestrel-floor PORT</c>; prints <c>kestrel-floor: listening</c>, serves /ws and /stats.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        await using var app = builder.Build();
        app.UseWebSockets();
        app.Map("/ws", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                // Nothing is sent in this measurement; a byte that arrives anyway is read and dropped.
                await socket.ReceiveAsync(new byte[16].AsMemory(), CancellationToken.None);
            }
        });
        app.MapGet("/stats", () =>
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            return string.Create(CultureInfo.InvariantCulture,
                $"{ProcessTree.ResidentBytes(Environment.ProcessId)} {committed} {GC.GetTotalMemory(forceFullCollection: false)}");
        });
        await app.StartAsync();
        Console.WriteLine($"{Command}: listening");
        await app.WaitForShutdownAsync();
        return 0;
    }

    [GeneratedRegex(@"^kestrel-floor: (listening)$")]
    private static partial Regex Listening();
}
