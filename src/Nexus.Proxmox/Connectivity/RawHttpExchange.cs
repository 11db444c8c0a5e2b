using System.Globalization;
using System.Text;

namespace Nexus.Proxmox.Connectivity;

/// <summary>
/// A minimal HTTP/1.1 request/response exchange on an already open stream. Hand-written because the connectivity
/// test must time the first byte on the very socket it measured DNS, TCP and TLS for; HttpClient hides all four.
/// </summary>
internal sealed class RawHttpExchange(Stream stream)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public sealed record Response(int Status, string Reason, bool KeepAlive, string Body);

    /// <summary>Writes a GET, then returns the time the first response byte arrived (from the write) and the response.</summary>
    public async Task<(TimeSpan FirstByte, Response Response)> GetAsync(
        string host, string path, string authorization, CancellationToken cancellationToken)
    {
        var request =
            $"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\nAccept: application/json\r\n" +
            "User-Agent: Nexus-ConnectivityTest\r\nConnection: keep-alive\r\n\r\n";
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new IOException("The server closed the connection without answering.");
        }
        var firstByte = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        return (firstByte, await ReadResponseAsync(cancellationToken).ConfigureAwait(false));
    }

    private async Task<Response> ReadResponseAsync(CancellationToken cancellationToken)
    {
        var statusLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new InvalidDataException($"Not an HTTP response: '{statusLine}'.");
        }
        var reason = parts.Length > 2 ? parts[2] : string.Empty;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false); line.Length > 0;
             line = await ReadLineAsync(cancellationToken).ConfigureAwait(false))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }
        var keepAlive = !(headers.TryGetValue("Connection", out var connection)
            && connection.Contains("close", StringComparison.OrdinalIgnoreCase));
        using var body = new MemoryStream();
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                var sizeLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
                var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    while ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length > 0)
                    {
                    }
                    break;
                }
                await CopyAsync(body, size, cancellationToken).ConfigureAwait(false);
                await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else if (headers.TryGetValue("Content-Length", out var lengthText)
            && int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            await CopyAsync(body, length, cancellationToken).ConfigureAwait(false);
        }
        else if (status is not (204 or 304) && !(status >= 100 && status < 200))
        {
            // No length: the body runs to the end of the connection.
            keepAlive = false;
            do
            {
                body.Write(_buffer, _start, _end - _start);
                _start = _end;
            }
            while (await FillAsync(cancellationToken).ConfigureAwait(false));
        }
        return new Response(status, reason, keepAlive, Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
    }

    private async Task CopyAsync(MemoryStream target, int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("The connection ended inside the response body.");
            }
            var take = Math.Min(count, _end - _start);
            target.Write(_buffer, _start, take);
            _start += take;
            count -= take;
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("The connection ended inside the response head.");
            }
            var b = _buffer[_start++];
            if (b == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }
            if (line.Length > 16 * 1024)
            {
                throw new InvalidDataException("Response header line too long.");
            }
            line.Append((char)b);
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }
}
