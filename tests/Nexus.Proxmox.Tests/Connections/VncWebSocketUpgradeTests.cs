using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Tests.Support;
using Nexus.Proxmox.Tls;

namespace Nexus.Proxmox.Tests.Connections;

/// <summary>
/// The hand-written <c>vncwebsocket</c> upgrade against a scripted TLS server, for the answers the simulator does not
/// give: bytes right behind the 101, a forged accept key, an overlong head, silence.
/// </summary>
public sealed class VncWebSocketUpgradeTests : IAsyncDisposable
{
    private const string Token = "root@pam!nexus=11111111-2222-3333-4444-555555555555";
    private static readonly VncProxyTicket Ticket = new() { Ticket = "PVEVNC:ABC+/=", Port = 5901, User = "root@pam!nexus" };

    private readonly X509Certificate2 _certificate = SelfSigned();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource<string> _request = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public VncWebSocketUpgradeTests() => _listener.Start();

    [Fact]
    public async Task Bytes_proxmox_sends_right_behind_the_101_reach_the_websocket_and_the_request_carries_token_ticket_and_subprotocol()
    {
        // The 101 and the first frame (the RFB greeting) in one write, as pveproxy may send them.
        var greeting = Encoding.ASCII.GetBytes("RFB 003.008\n");
        Serve(key => [.. Switching(key, "binary"), .. BinaryFrame(greeting)]);
        using var connection = Connect();

        using var socket = await connection.OpenVncWebSocketAsync(Endpoint, "pve1", GuestType.Qemu, 100, Ticket);

        var buffer = new byte[64];
        var received = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(buffer, 0, received.Count));
        Assert.Equal("binary", socket.SubProtocol);
        var request = await _request.Task;
        Assert.StartsWith("GET /api2/json/nodes/pve1/qemu/100/vncwebsocket?port=5901&vncticket=PVEVNC%3AABC%2B%2F%3D HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"\r\nAuthorization: PVEAPIToken={Token}\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nSec-WebSocket-Protocol: binary\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"\r\nHost: {Endpoint}\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_upgrade_is_the_proxmox_error_with_pveproxys_reason()
    {
        Serve(_ => Encoding.ASCII.GetBytes("HTTP/1.1 401 No ticket\r\nContent-Length: 0\r\n\r\n"));
        using var connection = Connect();

        var error = await Assert.ThrowsAsync<ProxmoxAuthenticationException>(
            () => connection.OpenVncWebSocketAsync(Endpoint, "pve1", GuestType.Qemu, 100, Ticket));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("No ticket", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("5555", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_101_with_a_wrong_accept_key_is_not_taken_for_a_websocket()
    {
        Serve(_ => Switching("x3JJHMbDL1EzLkh9GBhXDw==", "binary"));
        using var connection = Connect();

        var error = await Assert.ThrowsAsync<ProxmoxUnreachableException>(
            () => connection.OpenVncWebSocketAsync(Endpoint, "pve1", GuestType.Qemu, 100, Ticket));

        Assert.Contains("Sec-WebSocket-Accept", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_head_that_never_ends_is_cut_off_instead_of_read_forever()
    {
        Serve(_ => Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nX-Filler: " + new string('a', 20_000)));
        using var connection = Connect();

        var error = await Assert.ThrowsAsync<ProxmoxUnreachableException>(
            () => connection.OpenVncWebSocketAsync(Endpoint, "pve1", GuestType.Qemu, 100, Ticket));

        Assert.Contains("longer than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_accepts_tls_but_never_answers_the_upgrade_times_out()
    {
        Serve(_ => null);
        using var connection = Connect();

        var error = await Assert.ThrowsAsync<ProxmoxUnreachableException>(
            () => connection.OpenVncWebSocketAsync(Endpoint, "pve1", GuestType.Qemu, 100, Ticket));

        Assert.Equal(UnreachableReason.Timeout, error.Reason);
    }

    [Fact]
    public async Task A_certificate_other_than_the_pinned_one_is_a_tls_error_and_no_request_is_sent()
    {
        Serve(key => Switching(key, "binary"));
        using var other = SelfSigned();
        using var connection = Connect(ProxmoxTrust.Pinned(CertificateFingerprint.Of(other)));

        await Assert.ThrowsAsync<ProxmoxTlsException>(
            () => connection.OpenVncWebSocketAsync(Endpoint, "pve1", GuestType.Qemu, 100, Ticket));

        // The server side saw the handshake end (TLS 1.3 finishes there first), then the connection close, no request.
        var seen = await _request.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("Authorization", seen, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Dispose();
        _certificate.Dispose();
        await Task.CompletedTask;
    }

    private ProxmoxEndpoint Endpoint => new("127.0.0.1", ((IPEndPoint)_listener.LocalEndpoint).Port);

    private ProxmoxConnection Connect(ProxmoxTrust? trust = null) =>
        new(new ProxmoxServerConfig("scripted", Endpoint, null, trust ?? ProxmoxTrust.Pinned(CertificateFingerprint.Of(_certificate)),
            ProxmoxApiToken.Parse(Token)), Simulated.TightOptions);

    /// <summary>Accepts one connection, reads the request head, writes what <paramref name="answer"/> makes of its key.</summary>
    private void Serve(Func<string, byte[]?> answer) => _ = Task.Run(async () =>
    {
        using var client = await _listener.AcceptTcpClientAsync();
        await using var tls = new SslStream(client.GetStream());
        try
        {
            await tls.AuthenticateAsServerAsync(_certificate);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            return;
        }
        var head = new StringBuilder();
        var one = new byte[1];
        try
        {
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await tls.ReadAsync(one) == 1)
            {
                head.Append((char)one[0]);
            }
        }
        catch (IOException)
        {
        }
        var text = head.ToString();
        _request.TrySetResult(text);
        if (text.Length == 0)
        {
            return;
        }
        var key = text.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.Ordinal))[18..].Trim();
        if (answer(key) is { } bytes)
        {
            await tls.WriteAsync(bytes);
        }
        await Task.Delay(TimeSpan.FromSeconds(10));
    });

    private static byte[] Switching(string key, string protocol)
    {
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        return Encoding.ASCII.GetBytes(
            $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: {accept}\r\n" +
            $"Sec-WebSocket-Protocol: {protocol}\r\n\r\n");
    }

    /// <summary>An unmasked (server-to-client) binary frame with a short payload.</summary>
    private static byte[] BinaryFrame(byte[] payload) => [0x82, (byte)payload.Length, .. payload];

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pve1", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
