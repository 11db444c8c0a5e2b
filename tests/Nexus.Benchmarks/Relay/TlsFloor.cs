using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Nexus.Benchmarks.Hosting;
using Nexus.Benchmarks.Reporting;

namespace Nexus.Benchmarks.Relay;

/// <summary>
/// What one idle TLS client connection costs the .NET platform alone, the floor under every relayed console (the
/// relay holds one to Proxmox's <c>vncwebsocket</c>): a separate process (this assembly, <c>tls-floor PORT COUNT</c>)
/// opens connections to the simulator's HTTPS port, completes the handshake and one HTTP exchange (as the relay's
/// upgrade does; it also takes in TLS 1.3's session tickets), leaves a zero-byte read pending on each, as a pump
/// waiting for the next frame does, and reports its resident set and managed heap per connection beyond the first
/// tenth. Nothing but those sockets lives in that process, so the figure is .NET's and OpenSSL's, not Nexus's.
/// </summary>
internal static partial class TlsFloor
{
    public const string Command = "tls-floor";

    /// <summary>Runs the floor measurement in a child process and returns its figures.</summary>
    public static async Task<IReadOnlyList<Measurement>> MeasureAsync(string scenario, int port, int count, CancellationToken cancellationToken)
    {
        await using var child = ChildProcess.Start(typeof(TlsFloor).Assembly.Location,
            [Command, port.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture)]);
        var line = await child.WaitForAsync(ResultLine(), TimeSpan.FromMinutes(3), cancellationToken);
        var parts = line.Split(' ').Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var label = $"platform floor: {count} idle TLS client connections (SslStream, a zero-byte read pending), own process";
        return
        [
            new(scenario, label, "RSS per connection (beyond the first tenth)", parts[0], "KiB"),
            new(scenario, label, "managed heap per connection (beyond the first tenth)", parts[1], "KiB"),
        ];
    }

    /// <summary>The child's side: <c>tls-floor PORT COUNT</c>; prints <c>tls-floor: RSS_KIB MANAGED_KIB</c>.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        var count = int.Parse(args[2], CultureInfo.InvariantCulture);
        var warm = Math.Max(1, count / 10);
        var open = new List<SslStream>();
        var pending = new List<Task<int>>();
        async Task OpenAsync(int n)
        {
            for (var i = 0; i < n; i++)
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                // Only the memory of the connection is measured here: the simulator's certificate is not checked.
                var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
                await tls.AuthenticateAsClientAsync("pve");
                await ExchangeAsync(tls);
                open.Add(tls);
                pending.Add(tls.ReadAsync(Memory<byte>.Empty).AsTask());
            }
        }
        await OpenAsync(warm);
        var (rss0, heap0) = await SettleAsync();
        await OpenAsync(count - warm);
        var (rss1, heap1) = await SettleAsync();
        var added = count - warm;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Command}: {(rss1 - rss0) / 1024.0 / added:0.0} {(heap1 - heap0) / 1024.0 / added:0.0}"));
        GC.KeepAlive(open);
        GC.KeepAlive(pending);
        return 0;
    }

    /// <summary>One unauthenticated <c>GET /api2/json/version</c>, read to the end of its body (the simulator sends a length).</summary>
    private static async Task ExchangeAsync(SslStream tls)
    {
        await tls.WriteAsync("GET /api2/json/version HTTP/1.1\r\nHost: pve\r\n\r\n"u8.ToArray());
        var buffer = new byte[4096];
        var length = 0;
        while (true)
        {
            var read = await tls.ReadAsync(buffer.AsMemory(length));
            if (read == 0)
            {
                throw new IOException("The simulator closed the connection during the floor's exchange.");
            }
            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var declared = ContentLength().Match(text);
            if (end >= 0 && declared.Success && length >= end + 4 + int.Parse(declared.Groups[1].Value, CultureInfo.InvariantCulture))
            {
                return;
            }
        }
    }

    private static async Task<(long Rss, long Heap)> SettleAsync()
    {
        await Task.Delay(1000);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        return (ProcessTree.ResidentBytes(Environment.ProcessId), heap);
    }

    [GeneratedRegex(@"(?im)^content-length:\s*([0-9]+)\s*$")]
    private static partial Regex ContentLength();

    [GeneratedRegex(@"^tls-floor: ([0-9.]+ [0-9.]+)$")]
    private static partial Regex ResultLine();
}
