using System.Buffers;
using System.Net.WebSockets;
using Nexus.Relay.Closing;
using Nexus.Relay.Policy;
using Nexus.Relay.Rfb;
using Nexus.Relay.Telemetry;

namespace Nexus.Relay.Pumping;

/// <summary>
/// The byte path: one read-then-write loop per direction, so TCP windows give backpressure and nothing queues without
/// bound. Each loop waits with a zero-byte receive and rents a buffer only when data is there (an idle session holds
/// none). No timers, no grain calls, no allocation per message.
/// </summary>
public sealed partial class ConsolePump
{
    private enum Leg
    {
        Browser,
        Proxmox,
    }

    private async Task BrowserToProxmoxAsync(HandshakeReader handshake, WebSocket upstream)
    {
        var leg = Leg.Proxmox;
        byte[]? buffer = null;
        try
        {
            buffer = ArrayPool<byte>.Shared.Rent(ClientMessageFilter.Headroom + _options.ChunkSize);
            var leftover = handshake.Leftover;
            leftover.Span.CopyTo(buffer.AsSpan(ClientMessageFilter.Headroom));
            var pending = leftover.Length;
            handshake.Dispose();
            while (true)
            {
                if (pending > 0)
                {
                    var result = _filter.Filter(buffer.AsSpan(ClientMessageFilter.Headroom, pending), buffer.AsSpan(0, ClientMessageFilter.Headroom + pending));
                    Account(result);
                    if (result.Violation is not null)
                    {
                        Log.PolicyViolation(_logger, SessionId, result.Violation);
                        RequestClose(new ConsoleClose(ConsoleCloseCode.Forbidden, result.Violation), CloseInitiator.Policy);
                        return;
                    }
                    if (result.Written > 0)
                    {
                        leg = Leg.Proxmox;
                        await SendUpstreamAsync(buffer.AsMemory(0, result.Written)).ConfigureAwait(false);
                        Interlocked.Add(ref _browserToProxmox, result.Written);
                        RelayMetrics.ToProxmox(result.Written);
                    }
                }
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;

                leg = Leg.Browser;
                // No token on browser receives: cancelling one aborts the socket before the close code is sent.
                var ready = await _browser.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (EndsBrowserStream(ready.MessageType))
                {
                    return;
                }
                buffer = ArrayPool<byte>.Shared.Rent(ClientMessageFilter.Headroom + _options.ChunkSize);
                var received = await _browser.ReceiveAsync(buffer.AsMemory(ClientMessageFilter.Headroom, _options.ChunkSize), CancellationToken.None).ConfigureAwait(false);
                if (EndsBrowserStream(received.MessageType))
                {
                    return;
                }
                var messageBytes = _browserMessageBytes + received.Count;
                if (messageBytes > _options.MaxBrowserMessageSize)
                {
                    RequestClose(new ConsoleClose(ConsoleCloseCode.MessageTooBig, "message too big"), CloseInitiator.Browser);
                    return;
                }
                _browserMessageBytes = received.EndOfMessage ? 0 : messageBytes;
                pending = received.Count;
            }
        }
        catch (Exception e) when (IsNetworkFailure(e))
        {
            RequestLegClose(leg, e);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task ProxmoxToBrowserAsync(HandshakeReader handshake, WebSocket upstream)
    {
        var leg = Leg.Browser;
        byte[]? buffer = null;
        try
        {
            if (handshake.Leftover.Length > 0)
            {
                await SendBrowserAsync(handshake.Leftover).ConfigureAwait(false);
                Interlocked.Add(ref _proxmoxToBrowser, handshake.Leftover.Length);
                RelayMetrics.ToBrowser(handshake.Leftover.Length);
            }
            handshake.Dispose();
            var token = _stop.Token;
            while (true)
            {
                leg = Leg.Proxmox;
                var ready = await upstream.ReceiveAsync(Memory<byte>.Empty, token).ConfigureAwait(false);
                if (ready.MessageType == WebSocketMessageType.Close)
                {
                    RequestClose(ConsoleClose.ConsoleEnded, CloseInitiator.Proxmox);
                    return;
                }
                buffer = ArrayPool<byte>.Shared.Rent(_options.ChunkSize);
                var received = await upstream.ReceiveAsync(buffer.AsMemory(0, _options.ChunkSize), token).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    RequestClose(ConsoleClose.ConsoleEnded, CloseInitiator.Proxmox);
                    return;
                }
                if (received.Count > 0)
                {
                    leg = Leg.Browser;
                    // Proxmox's frames are not RFB message boundaries; each chunk goes on as one complete binary message.
                    await SendBrowserAsync(buffer.AsMemory(0, received.Count)).ConfigureAwait(false);
                    Interlocked.Add(ref _proxmoxToBrowser, received.Count);
                    RelayMetrics.ToBrowser(received.Count);
                }
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (Exception e) when (IsNetworkFailure(e))
        {
            RequestLegClose(leg, e);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private bool EndsBrowserStream(WebSocketMessageType type)
    {
        if (type == WebSocketMessageType.Close)
        {
            RequestClose(new ConsoleClose(ConsoleCloseCode.Normal, "browser closed"), CloseInitiator.Browser);
            return true;
        }
        if (type == WebSocketMessageType.Text)
        {
            RequestClose(new ConsoleClose(ConsoleCloseCode.UnsupportedData, "text frames are not supported"), CloseInitiator.Browser);
            return true;
        }
        return false;
    }

    private void Account(FilterResult result)
    {
        if (result.InputMessages > 0)
        {
            Volatile.Write(ref _lastInputTimestamp, _time.GetTimestamp());
            Interlocked.Add(ref _inputMessages, result.InputMessages);
        }
        if (result.DroppedMessages > 0)
        {
            Interlocked.Add(ref _droppedMessages, result.DroppedMessages);
        }
    }

    private void RequestLegClose(Leg leg, Exception e)
    {
        if (_close is not null)
        {
            return; // a consequence of the teardown
        }
        if (leg == Leg.Browser)
        {
            RequestClose(new ConsoleClose(ConsoleCloseCode.GoingAway, "browser connection lost"), CloseInitiator.Browser);
        }
        else if (e is WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely })
        {
            // pveproxy never sends a Close frame: the end of the TCP stream is the normal end of a console.
            RequestClose(ConsoleClose.ConsoleEnded, CloseInitiator.Proxmox);
        }
        else
        {
            Log.UpstreamLost(_logger, SessionId, e.GetType().Name);
            RequestClose(new ConsoleClose(ConsoleCloseCode.ProxmoxUnreachable, "Proxmox connection lost"), CloseInitiator.Proxmox);
        }
    }
}
