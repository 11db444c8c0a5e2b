using System.Buffers.Binary;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Nexus.Proxmox.Errors;
using Nexus.Relay.Closing;
using Nexus.Relay.Rfb;
using Nexus.Relay.Upstream;

namespace Nexus.Relay.Pumping;

/// <summary>The two RFB handshakes: client toward Proxmox (VNC auth), server toward the browser (None).</summary>
public sealed partial class ConsolePump
{
    private static readonly byte[] Version38 = "RFB 003.008\n"u8.ToArray();

    private async Task RelayAsync()
    {
        // Proxmox is opened while the browser greets: the vncproxy port waits at most 10 s, and TTFF counts.
        var upstreamTask = ConnectUpstreamAsync();
        HandshakeReader? browserReader = null;
        HandshakeReader? upstreamReader = null;
        var upstreamAwaited = false;
        try
        {
            browserReader = new HandshakeReader(_browser, rejectText: true) { OnUnexpected = BrowserUnexpected };
            var minor = await GreetBrowserAsync(browserReader).ConfigureAwait(false);
            upstreamAwaited = true;
            upstreamReader = await upstreamTask.ConfigureAwait(false);
            if (upstreamReader is null)
            {
                return; // the close is decided
            }

            // SecurityResult OK only now that Proxmox accepted us: a browser never sees a console that is not there.
            if (minor == 8)
            {
                await SendBrowserAsync(new byte[4]).ConfigureAwait(false);
            }
            var clientInit = await browserReader.ReadByteAsync(CancellationToken.None).ConfigureAwait(false);
            // Forced shared: QEMU's share=allow-exclusive lets a client with shared=0 disconnect every other viewer.
            await SendUpstreamAsync(new byte[] { 1 }).ConfigureAwait(false);
            if (Interlocked.CompareExchange(ref _state, (int)PumpState.Relaying, (int)PumpState.Handshaking) != (int)PumpState.Handshaking)
            {
                return;
            }
            // Idle counts from here: the handshake's duration is not the user's.
            Volatile.Write(ref _lastInputTimestamp, _time.GetTimestamp());
            Log.Relaying(_logger, SessionId, _time.GetElapsedTime(Volatile.Read(ref _startTimestamp)).TotalMilliseconds, clientInit != 0);

            var browserLeftover = browserReader;
            var upstreamLeftover = upstreamReader;
            browserReader = null;
            upstreamReader = null;
            await Task.WhenAll(
                BrowserToProxmoxAsync(browserLeftover, _upstream!.Socket),
                ProxmoxToBrowserAsync(upstreamLeftover, _upstream.Socket)).ConfigureAwait(false);
        }
        catch (RelayCloseException e)
        {
            RequestClose(e.Close, e.Initiator);
        }
        catch (Exception e) when (IsNetworkFailure(e))
        {
            RequestClose(new ConsoleClose(ConsoleCloseCode.GoingAway, "browser connection lost"), CloseInitiator.Browser);
        }
        catch (Exception e)
        {
            Log.Fault(_logger, e, SessionId);
            RequestClose(new ConsoleClose(ConsoleCloseCode.InternalError, "relay error"), CloseInitiator.Relay);
        }
        finally
        {
            browserReader?.Dispose();
            upstreamReader?.Dispose();
            if (!upstreamAwaited)
            {
                // The browser failed first: the close is decided, teardown cancels the opener; collect what it made.
                (await upstreamTask.ConfigureAwait(false))?.Dispose();
            }
        }
    }

    private static RelayCloseException BrowserUnexpected(WebSocketMessageType type) => type == WebSocketMessageType.Text
        ? new RelayCloseException(new ConsoleClose(ConsoleCloseCode.UnsupportedData, "text frames are not supported"), CloseInitiator.Browser)
        : new RelayCloseException(new ConsoleClose(ConsoleCloseCode.Normal, "browser closed"), CloseInitiator.Browser);

    /// <summary>RFB server side up to the security choice; returns the protocol minor version (3, 7 or 8).</summary>
    private async Task<int> GreetBrowserAsync(HandshakeReader reader)
    {
        await SendBrowserAsync(Version38).ConfigureAwait(false);
        var version = new byte[12];
        await reader.ReadExactlyAsync(version, CancellationToken.None).ConfigureAwait(false);
        var minor = ParseVersion(version) switch
        {
            null => throw new RelayCloseException(new ConsoleClose(ConsoleCloseCode.ProtocolError, "not an RFB client"), CloseInitiator.Browser),
            >= 8 => 8,
            7 => 7,
            _ => 3,
        };
        if (minor == 3)
        {
            // 3.3: the server names the type (u32), and None has no SecurityResult.
            await SendBrowserAsync(new byte[] { 0, 0, 0, 1 }).ConfigureAwait(false);
            return minor;
        }
        await SendBrowserAsync(new byte[] { 1, 1 }).ConfigureAwait(false);
        var chosen = await reader.ReadByteAsync(CancellationToken.None).ConfigureAwait(false);
        if (chosen != 1)
        {
            if (minor == 8)
            {
                const string reason = "security type not offered";
                var failure = new byte[8 + reason.Length];
                BinaryPrimitives.WriteUInt32BigEndian(failure, 1);
                BinaryPrimitives.WriteUInt32BigEndian(failure.AsSpan(4), (uint)reason.Length);
                System.Text.Encoding.ASCII.GetBytes(reason, failure.AsSpan(8));
                await SendBrowserAsync(failure).ConfigureAwait(false);
            }
            throw new RelayCloseException(new ConsoleClose(ConsoleCloseCode.ProtocolError, "RFB security type not offered"), CloseInitiator.Browser);
        }
        return minor;
    }

    /// <summary>"RFB 003.008\n" → 8; null when it is not an RFB 3.x version string.</summary>
    private static int? ParseVersion(ReadOnlySpan<byte> version)
    {
        if (!version.StartsWith("RFB 003."u8) || version[11] != (byte)'\n')
        {
            return null;
        }
        Span<char> digits = stackalloc char[3];
        for (var i = 0; i < 3; i++)
        {
            digits[i] = (char)version[8 + i];
        }
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var minor) ? minor : null;
    }

    /// <summary>
    /// Opens Proxmox and authenticates as an RFB 3.8 client. Returns the reader positioned before ServerInit, or null
    /// after deciding the close (4502 with a short reason); never throws.
    /// </summary>
    private async Task<HandshakeReader?> ConnectUpstreamAsync()
    {
        var token = _stop.Token;
        HandshakeReader? reader = null;
        try
        {
            var upstream = await _opener(token).ConfigureAwait(false);
            Volatile.Write(ref _upstream, upstream);
            if (_close is not null)
            {
                return null;
            }
            var socket = upstream.Socket;
            reader = new HandshakeReader(socket, rejectText: false)
            {
                OnUnexpected = _ => Refused("Proxmox closed the console during the handshake"),
            };

            var version = new byte[12];
            await reader.ReadExactlyAsync(version, token).ConfigureAwait(false);
            if (ParseVersion(version) is not >= 8)
            {
                throw Refused("Proxmox offered an unsupported RFB version");
            }
            await SendUpstreamAsync(Version38, token).ConfigureAwait(false);

            var count = await reader.ReadByteAsync(token).ConfigureAwait(false);
            if (count == 0)
            {
                throw Refused("Proxmox refused the console: " + await reader.ReadReasonAsync(200, token).ConfigureAwait(false));
            }
            var types = new byte[count];
            await reader.ReadExactlyAsync(types, token).ConfigureAwait(false);
            if (types.Contains((byte)2))
            {
                await SendUpstreamAsync(new byte[] { 2 }, token).ConfigureAwait(false);
                var challenge = new byte[VncAuthentication.ChallengeLength];
                await reader.ReadExactlyAsync(challenge, token).ConfigureAwait(false);
                await SendUpstreamAsync(VncAuthentication.Respond(upstream.VncPassword, challenge), token).ConfigureAwait(false);
            }
            else if (types.Contains((byte)1))
            {
                await SendUpstreamAsync(new byte[] { 1 }, token).ConfigureAwait(false);
            }
            else
            {
                throw Refused("Proxmox offered no supported VNC security type");
            }
            if (await reader.ReadUInt32Async(token).ConfigureAwait(false) != 0)
            {
                var reason = await reader.ReadReasonAsync(200, token).ConfigureAwait(false);
                throw Refused(reason.Length == 0 ? "Proxmox refused VNC authentication" : "Proxmox refused VNC authentication: " + reason);
            }
            _upstreamReady = true;
            var ready = reader;
            reader = null;
            return ready;
        }
        catch (RelayCloseException e)
        {
            Log.UpstreamRefused(_logger, SessionId, e.Close.Reason);
            RequestClose(e.Close, e.Initiator);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Teardown: the close is decided.
        }
        catch (ProxmoxException e)
        {
            // Nexus.Proxmox messages name endpoint and path, never the ticket or the token.
            Log.UpstreamFailed(_logger, e, SessionId);
            RequestClose(new ConsoleClose(ConsoleCloseCode.ProxmoxUnreachable, Describe(e)), CloseInitiator.Proxmox);
        }
        catch (CryptographicException)
        {
            RequestClose(new ConsoleClose(ConsoleCloseCode.ProxmoxUnreachable, "VNC password unusable"), CloseInitiator.Proxmox);
        }
        catch (Exception e) when (IsNetworkFailure(e) || e is HttpRequestException)
        {
            // Other exceptions may carry the vncwebsocket URL with its ticket: the type only.
            Log.UpstreamLost(_logger, SessionId, e.GetType().Name);
            RequestClose(new ConsoleClose(ConsoleCloseCode.ProxmoxUnreachable, "Proxmox closed the console during the handshake"), CloseInitiator.Proxmox);
        }
        finally
        {
            reader?.Dispose();
        }
        return null;
    }

    private static RelayCloseException Refused(string reason) =>
        new(new ConsoleClose(ConsoleCloseCode.ProxmoxUnreachable, reason), CloseInitiator.Proxmox);

    private static string Describe(ProxmoxException e) => e switch
    {
        ProxmoxTlsException => "Proxmox certificate not trusted",
        ProxmoxUnreachableException => "Proxmox unreachable",
        ProxmoxAuthenticationException => "Proxmox refused the credential",
        ProxmoxPermissionException => "Proxmox denied the console permission",
        { StatusCode: { } status } => string.Create(CultureInfo.InvariantCulture, $"Proxmox refused the console (HTTP {status})"),
        _ => "Proxmox unreachable",
    };

    private async ValueTask SendBrowserAsync(ReadOnlyMemory<byte> data)
    {
        await _browserSend.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_browserCloseSent)
            {
                throw new OperationCanceledException("The browser leg is closing.");
            }
            // No token: cancelling a WebSocket send aborts the socket, and the close code must still reach the browser.
            await _browser.SendAsync(data, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _browserSend.Release();
        }
    }

    private ValueTask SendUpstreamAsync(ReadOnlyMemory<byte> data) => SendUpstreamAsync(data, _stop.Token);

    private async ValueTask SendUpstreamAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _upstreamSend.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Always one complete binary frame: pveproxy kills the connection on a fragmented one.
            await _upstream!.Socket.SendAsync(data, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _upstreamSend.Release();
        }
    }
}
