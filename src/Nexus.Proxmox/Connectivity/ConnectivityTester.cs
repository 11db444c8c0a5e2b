using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json;
using Nexus.Proxmox.Api.Json;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Timeouts;
using Nexus.Proxmox.Tls;

namespace Nexus.Proxmox.Connectivity;

/// <summary>
/// The connectivity test: DNS, TCP connect, TLS handshake (with the server's real trust rules) and first byte of
/// <c>GET /api2/json/version</c>, each timed on the socket, then the version, the node count and a recommended
/// timeout. The recommendation runs the learned-timeout formula (<see cref="LatencyEstimator"/>, read class) over
/// the measured request latencies (the /version exchange, /nodes, and <see cref="ExtraSamples"/> more /version
/// round trips on the same connection), so it is the value the client itself would converge to, clamped the same way.
/// </summary>
public static class ConnectivityTester
{
    /// <summary>Extra /version round trips for the recommendation (a handful is enough for RFC 6298 to settle).</summary>
    public const int ExtraSamples = 3;

    /// <summary>Tests the primary endpoint.</summary>
    public static Task<ConnectivityReport> TestAsync(ProxmoxServerConfig config, CancellationToken cancellationToken) =>
        TestAsync(config, config?.Primary ?? throw new ArgumentNullException(nameof(config)), TimeSpan.FromSeconds(10), null, cancellationToken);

    /// <summary>
    /// Tests one endpoint of the server; each stage gets at most <paramref name="stageTimeout"/>. The recommendation
    /// stays within <paramref name="readPolicy"/> (the server's read-class bounds; <see cref="TimeoutPolicy.Read"/> if null).
    /// </summary>
    public static async Task<ConnectivityReport> TestAsync(
        ProxmoxServerConfig config, ProxmoxEndpoint endpoint, TimeSpan stageTimeout, TimeoutPolicy? readPolicy,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(endpoint);
        var run = new Run(config, endpoint, stageTimeout, readPolicy ?? TimeoutPolicy.Read);
        return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class Run(ProxmoxServerConfig config, ProxmoxEndpoint endpoint, TimeSpan stageTimeout, TimeoutPolicy readPolicy)
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly LatencyEstimator _estimator = new(readPolicy);
        private readonly TrustValidator _validator = new(config.TrustFor(endpoint));
        private TimeSpan? _dns;
        private TimeSpan? _tcp;
        private TimeSpan? _tls;
        private TimeSpan? _firstByte;
        private TimeSpan? _total;
        private IPAddress? _address;
        private PresentedCertificate? _certificate;
        private int? _status;
        private string? _version;
        private int? _nodes;

        public async Task<ConnectivityReport> ExecuteAsync(CancellationToken cancellationToken)
        {
            // Stage: DNS.
            IPAddress[] addresses;
            if (IPAddress.TryParse(endpoint.Host, out var literal))
            {
                addresses = [literal];
                _dns = TimeSpan.Zero;
            }
            else
            {
                var dnsStarted = Stopwatch.GetTimestamp();
                try
                {
                    addresses = await Stage(ct => Dns.GetHostAddressesAsync(endpoint.Host, ct), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (Expected(ex, cancellationToken))
                {
                    return Fail(ConnectivityStage.Dns, $"Cannot resolve {endpoint.Host}: {Describe(ex)}");
                }
                _dns = Stopwatch.GetElapsedTime(dnsStarted);
                if (addresses.Length == 0)
                {
                    return Fail(ConnectivityStage.Dns, $"{endpoint.Host} resolves to no address.");
                }
            }

            // Stage: TCP, trying each address in order.
            Socket? socket = null;
            var tcpStarted = Stopwatch.GetTimestamp();
            Exception? lastTcpError = null;
            foreach (var address in addresses)
            {
                var candidate = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await Stage(async ct => { await candidate.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct).ConfigureAwait(false); return 0; },
                        cancellationToken).ConfigureAwait(false);
                    socket = candidate;
                    _address = address;
                    break;
                }
                catch (Exception ex) when (Expected(ex, cancellationToken))
                {
                    candidate.Dispose();
                    lastTcpError = ex;
                }
            }
            if (socket is null)
            {
                return Fail(ConnectivityStage.Tcp, $"TCP connect to {endpoint} failed: {Describe(lastTcpError)}");
            }
            _tcp = Stopwatch.GetElapsedTime(tcpStarted);

            await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            // Stage: TLS with the server's own trust rules.
            var tlsStarted = Stopwatch.GetTimestamp();
            try
            {
                await Stage(async ct =>
                {
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = endpoint.Host,
                        RemoteCertificateValidationCallback = _validator.Callback,
                    }, ct).ConfigureAwait(false);
                    return 0;
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (Expected(ex, cancellationToken))
            {
                _certificate = _validator.LastRejection?.Certificate;
                return Fail(ConnectivityStage.Tls, _validator.LastRejection?.Reason ?? $"TLS handshake failed: {Describe(ex)}");
            }
            _tls = Stopwatch.GetElapsedTime(tlsStarted);
            if (ssl.RemoteCertificate is { } remote)
            {
                _certificate = PresentedCertificate.From(remote);
            }

            // Stage: HTTP (first byte), then auth by status.
            var exchange = new RawHttpExchange(ssl);
            var host = endpoint.Port == 443 ? endpoint.UriHost : endpoint.ToString();
            var authorization = config.Token.AuthorizationHeaderValue;
            RawHttpExchange.Response response;
            var requestStarted = Stopwatch.GetTimestamp();
            try
            {
                (var firstByte, response) = await Stage(ct => exchange.GetAsync(host, "/api2/json/version", authorization, ct), cancellationToken).ConfigureAwait(false);
                _firstByte = firstByte;
            }
            catch (Exception ex) when (Expected(ex, cancellationToken))
            {
                return Fail(ConnectivityStage.Http, $"No HTTP answer to GET /api2/json/version: {Describe(ex)}");
            }
            var requestLatency = Stopwatch.GetElapsedTime(requestStarted);
            _total = Stopwatch.GetElapsedTime(_started);
            _status = response.Status;
            if (response.Status is 401 or 403)
            {
                return Fail(ConnectivityStage.Auth, $"{response.Status} {response.Reason}".Trim());
            }
            if (response.Status is < 200 or >= 300)
            {
                var (message, _) = ProxmoxJson.ReadError(response.Body);
                return Fail(ConnectivityStage.Http, $"{response.Status} {message ?? response.Reason}".Trim());
            }
            _estimator.Record(requestLatency);
            try
            {
                _version = ProxmoxJson.ReadData<ProxmoxVersionInfo>(response.Body).Version;
            }
            catch (JsonException ex)
            {
                return Fail(ConnectivityStage.Http, $"/version answered something that is not Proxmox: {ex.Message}");
            }

            // Node count and extra latency samples on the same connection; failures here do not fail the test.
            if (response.KeepAlive)
            {
                try
                {
                    var nodesStarted = Stopwatch.GetTimestamp();
                    var (_, nodes) = await Stage(ct => exchange.GetAsync(host, "/api2/json/nodes", authorization, ct), cancellationToken).ConfigureAwait(false);
                    if (nodes.Status == 200)
                    {
                        _estimator.Record(Stopwatch.GetElapsedTime(nodesStarted));
                        _nodes = ProxmoxJson.ReadData<List<NodeSummary>>(nodes.Body).Count;
                    }
                    for (var i = 0; i < ExtraSamples && nodes.KeepAlive; i++)
                    {
                        var sampleStarted = Stopwatch.GetTimestamp();
                        var (_, again) = await Stage(ct => exchange.GetAsync(host, "/api2/json/version", authorization, ct), cancellationToken).ConfigureAwait(false);
                        if (again.Status != 200 || !again.KeepAlive)
                        {
                            break;
                        }
                        _estimator.Record(Stopwatch.GetElapsedTime(sampleStarted));
                    }
                }
                catch (Exception ex) when (Expected(ex, cancellationToken) || ex is JsonException)
                {
                    // The test already succeeded; fewer samples only make the recommendation more conservative.
                }
            }
            return Report(success: true, stage: null, error: null);
        }

        private async Task<T> Stage<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(stageTimeout);
            try
            {
                return await action(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _estimator.RecordTimeout();
                throw new TimeoutException($"no answer within {stageTimeout.TotalSeconds:0.#} s");
            }
        }

        private static bool Expected(Exception ex, CancellationToken cancellationToken) =>
            !cancellationToken.IsCancellationRequested && ex is SocketException or IOException or TimeoutException
                or System.Security.Authentication.AuthenticationException or InvalidDataException or FormatException or ObjectDisposedException;

        private static string Describe(Exception? ex) => ex switch
        {
            null => "unknown error",
            SocketException s => $"{s.SocketErrorCode}: {s.Message}",
            _ when ex.InnerException is SocketException s => $"{s.SocketErrorCode}: {s.Message}",
            _ => ex.Message,
        };

        private ConnectivityReport Fail(ConnectivityStage stage, string error) => Report(success: false, stage, error);

        private ConnectivityReport Report(bool success, ConnectivityStage? stage, string? error) =>
            new(endpoint, endpoint == config.Secondary, success,
                new ConnectivityTimings(_dns, _tcp, _tls, _firstByte, _total ?? Stopwatch.GetElapsedTime(_started)),
                _address, stage, error, _status, _version, _nodes, _certificate, _estimator.Timeout, (int)_estimator.Samples);
    }
}
