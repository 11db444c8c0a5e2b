using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Nexus.Simulator.Tests.Consoles;

/// <summary>One WebSocket frame as it came off the wire.</summary>
internal sealed record WireFrame(bool Fin, int Opcode, byte[] Payload);

/// <summary>
/// A WebSocket client written against RFC 6455 on a bare socket, so tests can send frames a conforming
/// client never would (fragmented, unmasked, oversize) and see exactly what the server sends back.
/// </summary>
internal sealed class RawWebSocketClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public int Status { get; private set; }
    public string Reason { get; private set; } = "";
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public string Body { get; private set; } = "";

    /// <summary>True when the server closed the connection without any HTTP response.</summary>
    public bool Dropped { get; private set; }

    public static async Task<RawWebSocketClient> ConnectAsync(Uri baseUri, string pathAndQuery, string principal,
        string? protocol = "binary", string version = "13", string upgrade = "websocket", bool withKey = true)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(baseUri.Host, baseUri.Port);
        var client = new RawWebSocketClient(tcp);
        var request = new StringBuilder()
            .Append("GET ").Append(pathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(baseUri.Authority).Append("\r\n")
            .Append("X-Test-Principal: ").Append(principal).Append("\r\n");
        if (upgrade.Length > 0)
            request.Append("Upgrade: ").Append(upgrade).Append("\r\nConnection: Upgrade\r\n");
        request.Append("Sec-WebSocket-Version: ").Append(version).Append("\r\n");
        if (withKey)
            request.Append("Sec-WebSocket-Key: ").Append(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))).Append("\r\n");
        if (protocol is not null)
            request.Append("Sec-WebSocket-Protocol: ").Append(protocol).Append("\r\n");
        request.Append("\r\n");
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        await client.ReadResponseHeadAsync();
        return client;
    }

    private async Task ReadResponseHeadAsync()
    {
        var head = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!EndsWithBlankLine(head))
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(one, timeout.Token);
            }
            catch (IOException)
            {
                n = 0;
            }

            if (n == 0)
            {
                Dropped = head.Count == 0;
                return;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
        var status = lines[0].Split(' ', 3);
        Status = int.Parse(status[1], System.Globalization.CultureInfo.InvariantCulture);
        Reason = status.Length > 2 ? status[2] : "";
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            Headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        if (Status != 101 && Headers.TryGetValue("Content-Length", out var length))
        {
            var body = new byte[int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)];
            await _stream.ReadExactlyAsync(body, timeout.Token);
            Body = Encoding.UTF8.GetString(body);
        }
    }

    private static bool EndsWithBlankLine(List<byte> b) =>
        b.Count >= 4 && b[^4] == '\r' && b[^3] == '\n' && b[^2] == '\r' && b[^1] == '\n';

    /// <summary>Sends one frame; <paramref name="mask"/> null sends it unmasked.</summary>
    public async Task SendFrameAsync(byte first, byte[] payload, byte[]? mask, long? declaredLength = null)
    {
        var length = declaredLength ?? payload.Length;
        var header = new List<byte> { first };
        var maskBit = mask is null ? 0 : 0x80;
        if (length <= 125)
        {
            header.Add((byte)(maskBit | (int)length));
        }
        else if (length <= 0xFFFF)
        {
            header.Add((byte)(maskBit | 126));
            header.Add((byte)(length >> 8));
            header.Add((byte)length);
        }
        else
        {
            header.Add((byte)(maskBit | 127));
            var ext = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(ext, length);
            header.AddRange(ext);
        }

        var body = (byte[])payload.Clone();
        if (mask is not null)
        {
            header.AddRange(mask);
            for (var i = 0; i < body.Length; i++)
                body[i] ^= mask[i & 3];
        }

        await _stream.WriteAsync(header.ToArray());
        await _stream.WriteAsync(body);
    }

    public Task SendBinaryAsync(byte[] payload) => SendFrameAsync(0x82, payload, RandomNumberGenerator.GetBytes(4));

    /// <summary>The next frame, or null when the server closed the TCP connection.</summary>
    public async Task<WireFrame?> ReceiveFrameAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        try
        {
            var header = new byte[2];
            if (await _stream.ReadAtLeastAsync(header, 2, throwOnEndOfStream: false, timeout.Token) < 2)
                return null;
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                var ext = new byte[2];
                await _stream.ReadExactlyAsync(ext, timeout.Token);
                length = BinaryPrimitives.ReadUInt16BigEndian(ext);
            }
            else if (length == 127)
            {
                var ext = new byte[8];
                await _stream.ReadExactlyAsync(ext, timeout.Token);
                length = BinaryPrimitives.ReadInt64BigEndian(ext);
            }

            Assert.True((header[1] & 0x80) == 0, "server frames must not be masked");
            var payload = new byte[length];
            await _stream.ReadExactlyAsync(payload, timeout.Token);
            return new WireFrame((header[0] & 0x80) != 0, header[0] & 0x0F, payload);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>Reads frames until the server closes the TCP connection; returns everything received.</summary>
    public async Task<List<WireFrame>> ReadUntilClosedAsync(TimeSpan within)
    {
        var frames = new List<WireFrame>();
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var frame = await ReceiveFrameAsync(deadline - DateTime.UtcNow);
            if (frame is null)
                return frames;
            frames.Add(frame);
        }

        throw new TimeoutException("The server kept the connection open.");
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
