using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Resilience;
using Nexus.Proxmox.Timeouts;
using Nexus.Proxmox.Tls;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Nexus.Proxmox.Connections;

/// <summary>
/// Everything one endpoint needs: its own keep-alive <see cref="SocketsHttpHandler"/> with the endpoint's trust
/// check, the token header, and its resilience pipelines (one breaker per endpoint).
/// </summary>
internal sealed class EndpointChannel : IDisposable
{
    private readonly HttpClient _http;
    private readonly ProxmoxApiToken _token;
    private readonly TimeoutBook _timeouts;
    private readonly ProxmoxClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _recoveryGate = new();
    private Task<bool>? _recoveryProbe;
    private DateTimeOffset _nextRecoveryProbe;

    public EndpointChannel(ProxmoxEndpoint endpoint, ProxmoxTrust trust, ProxmoxApiToken token, TimeoutBook timeouts,
        ProxmoxClientOptions options, TimeProvider time)
    {
        Endpoint = endpoint;
        Key = endpoint.ToString();
        _token = token;
        _timeouts = timeouts;
        _options = options;
        _time = time;
        Validator = new TrustValidator(trust);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = options.PooledConnectionLifetime,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = options.ConnectTimeout,
            MaxConnectionsPerServer = options.MaxConnectionsPerEndpoint,
            // pveproxy compresses bodies over 1 KiB when asked.
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            SslOptions = { RemoteCertificateValidationCallback = Validator.Callback },
        };
        // Timeouts come from the pipeline (learned per attempt), not from HttpClient.
        _http = new HttpClient(handler, disposeHandler: true) { BaseAddress = endpoint.ApiBaseUri, Timeout = Timeout.InfiniteTimeSpan };
        Pipelines = new EndpointPipelines(endpoint, timeouts, options, time);
        Pipelines.BreakerOpened += _ =>
        {
            lock (_recoveryGate)
            {
                _nextRecoveryProbe = _time.GetUtcNow() + _options.RecoveryProbeInterval;
            }
        };
    }

    /// <summary>Raised when a recovery probe closed the open breaker. Handlers must be quick.</summary>
    public event Action? RecoveredByProbe;

    public ProxmoxEndpoint Endpoint { get; }

    public string Key { get; }

    public TrustValidator Validator { get; }

    public EndpointPipelines Pipelines { get; }

    public CircuitState BreakerState => Pipelines.StateProvider.CircuitState;

    public LatencyEstimator Estimator(RequestClass requestClass) => _timeouts.For(Key, requestClass);

    /// <summary>
    /// Sends through the pipeline. Returns whatever HTTP status came back; throws only when no usable answer came:
    /// <see cref="ProxmoxUnreachableException"/> or <see cref="ProxmoxTlsException"/>.
    /// </summary>
    public async Task<RawResponse> SendAsync(ProxmoxRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await SendThroughPipelineAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ProxmoxUnreachableException ex) when (ex.Reason == UnreachableReason.CircuitOpen)
        {
            if (!await RecoveredAsync(cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
        return await SendThroughPipelineAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether the endpoint whose open breaker just rejected a call answers again. The breaker is closed already
    /// (another call's probe or the fail-back probe), or a <c>GET /version</c> outside the breaker answers, at most
    /// once per <see cref="ProxmoxClientOptions.RecoveryProbeInterval"/>; concurrent callers share that probe.
    /// </summary>
    private async Task<bool> RecoveredAsync(CancellationToken cancellationToken)
    {
        Task<bool> probe;
        lock (_recoveryGate)
        {
            if (BreakerState == CircuitState.Closed)
            {
                return true;
            }
            if (_recoveryProbe is null || _recoveryProbe.IsCompleted)
            {
                var now = _time.GetUtcNow();
                if (now < _nextRecoveryProbe)
                {
                    return false;
                }
                _nextRecoveryProbe = now + _options.RecoveryProbeInterval;
                _recoveryProbe = ProbeAndCloseAsync();
            }
            probe = _recoveryProbe;
        }
        return await probe.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ProbeAndCloseAsync()
    {
        if (!await ProbeAsync(_options.FailbackProbeTimeout, CancellationToken.None).ConfigureAwait(false))
        {
            return false;
        }
        await Pipelines.ManualControl.CloseAsync().ConfigureAwait(false);
        RecoveredByProbe?.Invoke();
        return true;
    }

    private async Task<RawResponse> SendThroughPipelineAsync(ProxmoxRequest request, CancellationToken cancellationToken)
    {
        var pipeline = request.Idempotent ? Pipelines.WithRetry : Pipelines.Attempt;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(EndpointPipelines.RequestClassKey, request.RequestClass);
        var attempts = 0;
        try
        {
            return await pipeline.ExecuteAsync(
                async (ctx, state) =>
                {
                    attempts++;
                    return await state.AttemptAsync(request, attempts, ctx.CancellationToken).ConfigureAwait(false);
                },
                context,
                this).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw new ProxmoxUnreachableException(Endpoint, UnreachableReason.CircuitOpen,
                $"{Endpoint}: circuit open after repeated failures (last: {LastFailure(ex.InnerException)}); nothing sent.", ex)
            { Attempts = attempts };
        }
        catch (TimeoutRejectedException ex)
        {
            throw new ProxmoxUnreachableException(Endpoint, UnreachableReason.Timeout,
                $"{Endpoint} {request.Path}: no answer within {ex.Timeout.TotalMilliseconds:0} ms (learned {request.RequestClass} timeout).", ex)
            { Attempts = attempts };
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            var tls = TlsFailure(ex);
            tls.Attempts = attempts;
            throw tls;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            var unreachable = ProxmoxUnreachableException.FromTransport(Endpoint, ex);
            unreachable.Attempts = attempts;
            throw unreachable;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>A short <c>GET /version</c> outside the pipeline (it must work while the breaker is open).</summary>
    public async Task<bool> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            var response = await AttemptAsync(ProxmoxRequest.Get("version", RequestClass.Read), 1, timeoutSource.Token).ConfigureAwait(false);
            return response.IsSuccess;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private UnreachableReason LastFailure(Exception? ex) => ex switch
    {
        null => UnreachableReason.Other,
        TimeoutRejectedException => UnreachableReason.Timeout,
        _ => ProxmoxUnreachableException.FromTransport(Endpoint, ex).Reason,
    };

    public ProxmoxTlsException TlsFailure(Exception ex)
    {
        var rejection = Validator.LastRejection;
        return new ProxmoxTlsException(Endpoint, rejection?.Certificate,
            rejection?.Reason ?? ex.InnerException?.Message ?? ex.Message, ex);
    }

    internal string AuthorizationHeaderValue => _token.AuthorizationHeaderValue;

    private async Task<RawResponse> AttemptAsync(ProxmoxRequest request, int attempt, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(request.Method, request.Path);
        // TryAddWithoutValidation: the token contains '!' and '@', which header parsing would reject.
        message.Headers.TryAddWithoutValidation("Authorization", _token.AuthorizationHeaderValue);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (request.Form is not null)
        {
            message.Content = new FormUrlEncodedContent(request.Form);
        }
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (ex.InnerException is TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // SocketsHttpHandler reports its ConnectTimeout as a cancellation; it is a connection failure (nothing sent).
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"No connection to {Endpoint} within the connect timeout.", ex.InnerException);
        }
        using var _ = response;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var latency = Stopwatch.GetElapsedTime(started);
        // Every 401 is held back 3 s by pveproxy on purpose (anti brute force): not a latency sample.
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            Estimator(request.RequestClass).Record(latency);
        }
        return new RawResponse((int)response.StatusCode, response.ReasonPhrase, body, Endpoint, latency, attempt);
    }

    public void Dispose() => _http.Dispose();
}
