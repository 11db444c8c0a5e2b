using System.Net.WebSockets;

namespace Nexus.Simulator.Tests.Consoles;

/// <summary>Where a test's RFB client sends and reads bytes.</summary>
internal interface IRfbTransport
{
    Task SendAsync(byte[] data);

    /// <summary>Fills <paramref name="buffer"/>; throws <see cref="EndOfStreamException"/> when the server closed.</summary>
    Task ReadExactlyAsync(byte[] buffer);
}

internal sealed class StreamTransport(Stream stream) : IRfbTransport
{
    public async Task SendAsync(byte[] data) => await stream.WriteAsync(data);

    public async Task ReadExactlyAsync(byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.ReadExactlyAsync(buffer, timeout.Token);
    }
}

/// <summary>RFB over .NET's <see cref="ClientWebSocket"/>: binary messages carry a raw byte stream.</summary>
internal sealed class ClientWebSocketTransport(ClientWebSocket socket) : IRfbTransport
{
    private readonly byte[] _pending = new byte[256 * 1024];
    private int _start;
    private int _end;

    public async Task SendAsync(byte[] data) => await socket.SendAsync(data, WebSocketMessageType.Binary, true, CancellationToken.None);

    public async Task ReadExactlyAsync(byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var filled = 0;
        while (filled < buffer.Length)
        {
            if (_start == _end)
            {
                ValueWebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(_pending.AsMemory(), timeout.Token);
                }
                catch (WebSocketException e)
                {
                    throw new EndOfStreamException("The server closed the WebSocket.", e);
                }

                Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
                _start = 0;
                _end = result.Count;
            }

            var n = Math.Min(buffer.Length - filled, _end - _start);
            Array.Copy(_pending, _start, buffer, filled, n);
            _start += n;
            filled += n;
        }
    }
}

/// <summary>RFB over the hand-made WebSocket client, so a test can also inspect frames.</summary>
internal sealed class RawWebSocketTransport(RawWebSocketClient client) : IRfbTransport
{
    private byte[] _pending = [];
    private int _start;

    public List<WireFrame> Frames { get; } = [];

    public Task SendAsync(byte[] data) => client.SendBinaryAsync(data);

    public async Task ReadExactlyAsync(byte[] buffer)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            if (_start == _pending.Length)
            {
                var frame = await client.ReceiveFrameAsync() ?? throw new EndOfStreamException();
                Frames.Add(frame);
                _pending = frame.Payload;
                _start = 0;
                continue;
            }

            var n = Math.Min(buffer.Length - filled, _pending.Length - _start);
            Array.Copy(_pending, _start, buffer, filled, n);
            _start += n;
            filled += n;
        }
    }
}
