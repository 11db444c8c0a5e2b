using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Proxmox.Api.Json;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Telemetry;
using Nexus.Proxmox.Timeouts;
using Polly.CircuitBreaker;

namespace Nexus.Proxmox.Connections;

/// <summary>
/// The typed client of one Proxmox VE server (cluster): API-token auth, per-endpoint TLS trust, retries with
/// back-off for idempotent calls, a breaker per endpoint, learned per-attempt timeouts, and automatic fallback
/// from the primary endpoint to the secondary and back. Thread-safe; one instance per server; no threads of its own
/// (the fail-back probe is a timer that runs only while traffic is on the secondary).
/// </summary>
public sealed partial class ProxmoxConnection : IAsyncDisposable, IDisposable
{
    private readonly EndpointChannel _primary;
    private readonly EndpointChannel? _secondary;
    private readonly ProxmoxClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _switchGate = new();
    private EndpointChannel _active;
    private ITimer? _probeTimer;
    private int _probing;
    private bool _disposed;

    public ProxmoxConnection(ProxmoxServerConfig config, ProxmoxClientOptions? options = null, TimeoutBook? timeouts = null,
        ILogger<ProxmoxConnection>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Secondary is not null && config.Secondary == config.Primary)
        {
            throw new ArgumentException("The secondary endpoint equals the primary.", nameof(config));
        }
        _options = options ?? new ProxmoxClientOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Config = config;
        Timeouts = timeouts ?? new TimeoutBook(_options.TimeoutPolicies, _time);
        _primary = CreateChannel(config.Primary);
        _secondary = config.Secondary is null ? null : CreateChannel(config.Secondary);
        _active = _primary;
        ProxmoxMetrics.Track(this);
    }

    public ProxmoxServerConfig Config { get; private set; }

    /// <summary>The learned timeouts; persist <see cref="TimeoutBook.Snapshot"/> and restore it on activation.</summary>
    public TimeoutBook Timeouts { get; }

    /// <summary>The endpoint new calls go to first.</summary>
    public ProxmoxEndpoint ActiveEndpoint => Volatile.Read(ref _active).Endpoint;

    public bool IsOnSecondary => _secondary is not null && ReferenceEquals(Volatile.Read(ref _active), _secondary);

    /// <summary>Raised on every failover and fail-back (from, to, reason, time). Handlers must be quick.</summary>
    public event EventHandler<EndpointSwitchedEventArgs>? EndpointSwitched;

    /// <summary>The breaker state of an endpoint of this server.</summary>
    public CircuitState BreakerState(ProxmoxEndpoint endpoint) => ChannelFor(endpoint).BreakerState;

    /// <summary>
    /// Replaces the TLS trust (a re-pin after a certificate renewal). New handshakes use it at once; pooled
    /// connections are renewed within <see cref="ProxmoxClientOptions.PooledConnectionLifetime"/>.
    /// </summary>
    public void UpdateTrust(ProxmoxTrust trust, ProxmoxTrust? secondaryTrust = null)
    {
        ArgumentNullException.ThrowIfNull(trust);
        Config = Config with { Trust = trust, SecondaryTrust = secondaryTrust ?? Config.SecondaryTrust };
        _primary.Validator.Replace(Config.TrustFor(Config.Primary));
        if (_secondary is not null)
        {
            _secondary.Validator.Replace(Config.TrustFor(_secondary.Endpoint));
        }
    }

    private EndpointChannel CreateChannel(ProxmoxEndpoint endpoint)
    {
        var channel = new EndpointChannel(endpoint, Config.TrustFor(endpoint), Config.Token, Timeouts, _options, _time);
        channel.Pipelines.BreakerOpened += duration => Log.BreakerOpened(_logger, Config.Name, endpoint.ToString(), duration.TotalSeconds);
        channel.RecoveredByProbe += () => Log.RecoveredByProbe(_logger, Config.Name, endpoint.ToString());
        return channel;
    }

    private EndpointChannel ChannelFor(ProxmoxEndpoint endpoint) =>
        endpoint == _primary.Endpoint ? _primary
        : _secondary is not null && endpoint == _secondary.Endpoint ? _secondary
        : throw new ArgumentException($"{endpoint} is not an endpoint of {Config.Name}.", nameof(endpoint));

    /// <summary>
    /// Runs a request on the active endpoint; if that endpoint cannot be reached, on the other one — for an
    /// idempotent request always, for a power action only when it provably was never sent. Success on the other
    /// endpoint moves traffic there.
    /// </summary>
    internal async Task<RawResponse> ExecuteAsync(ProxmoxRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var active = Volatile.Read(ref _active);
        try
        {
            return await SendMeasuredAsync(active, request, cancellationToken).ConfigureAwait(false);
        }
        catch (ProxmoxUnreachableException ex) when (Other(active) is not null && (request.Idempotent || ex.RequestNotSent))
        {
            var other = Other(active)!;
            Log.FailingOver(_logger, Config.Name, active.Endpoint.ToString(), ex.Reason, other.Endpoint.ToString());
            RawResponse response;
            try
            {
                response = await SendMeasuredAsync(other, request, cancellationToken).ConfigureAwait(false);
            }
            catch (ProxmoxUnreachableException second)
            {
                throw new ProxmoxUnreachableException(other.Endpoint, second.Reason,
                    $"{Config.Name}: no endpoint reachable. {ex.Message} {second.Message}", second) { Attempts = second.Attempts };
            }
            var reason = ex.Reason == UnreachableReason.CircuitOpen
                ? ex.Message
                : $"{active.Endpoint} unreachable ({ex.Reason})";
            SwitchTo(other, reason);
            return response;
        }
        catch (ProxmoxTlsException ex)
        {
            // No fallback on a refused certificate: it needs a person (re-pin) and may be an attack on that path.
            Log.TlsRefused(_logger, Config.Name, active.Endpoint.ToString(), ex.Reason);
            throw;
        }
    }

    internal async Task<ProxmoxResponse<T>> SendAsync<T>(ProxmoxRequest request, CancellationToken cancellationToken)
    {
        var response = await ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        return new ProxmoxResponse<T>(Parse<T>(response, request.Path), response.Endpoint, response.Latency, response.Attempts);
    }

    private static T Parse<T>(RawResponse response, string path)
    {
        if (!response.IsSuccess)
        {
            var (message, errors) = ProxmoxJson.ReadError(response.Body);
            var failure = ProxmoxException.FromResponse(response.Endpoint, (HttpStatusCode)response.StatusCode, response.ReasonPhrase, message, errors, path);
            failure.Attempts = response.Attempts;
            throw failure;
        }
        try
        {
            return ProxmoxJson.ReadData<T>(response.Body);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ProxmoxException(response.Endpoint, response.StatusCode, response.ReasonPhrase, null, null,
                $"{response.Endpoint} {path}: unexpected response shape: {ex.Message}", ex);
        }
    }

    private EndpointChannel? Other(EndpointChannel channel) =>
        _secondary is null ? null : ReferenceEquals(channel, _primary) ? _secondary : _primary;

    private void SwitchTo(EndpointChannel target, string reason)
    {
        EndpointChannel from;
        lock (_switchGate)
        {
            if (_disposed || ReferenceEquals(_active, target))
            {
                return;
            }
            from = _active;
            Volatile.Write(ref _active, target);
            if (ReferenceEquals(target, _secondary))
            {
                _probeTimer ??= _time.CreateTimer(_ => _ = ProbePrimaryAsync(), null, _options.FailbackProbeInterval, _options.FailbackProbeInterval);
            }
            else
            {
                _probeTimer?.Dispose();
                _probeTimer = null;
            }
        }
        Log.Switched(_logger, Config.Name, from.Endpoint.ToString(), target.Endpoint.ToString(), reason);
        var args = new EndpointSwitchedEventArgs(Config.Name, from.Endpoint, target.Endpoint, ReferenceEquals(target, _secondary), reason, _time.GetUtcNow());
        foreach (var handler in EndpointSwitched?.GetInvocationList() ?? [])
        {
            try
            {
                ((EventHandler<EndpointSwitchedEventArgs>)handler)(this, args);
            }
            catch (Exception ex)
            {
                Log.SubscriberFailed(_logger, ex, Config.Name);
            }
        }
    }

    private async Task ProbePrimaryAsync()
    {
        if (Interlocked.Exchange(ref _probing, 1) == 1)
        {
            return;
        }
        try
        {
            if (_disposed || !IsOnSecondary)
            {
                return;
            }
            if (await _primary.ProbeAsync(_options.FailbackProbeTimeout, CancellationToken.None).ConfigureAwait(false))
            {
                // The probe proved the primary healthy; do not make the next real call wait out the break.
                await _primary.Pipelines.ManualControl.CloseAsync().ConfigureAwait(false);
                SwitchTo(_primary, $"{_primary.Endpoint} answered the health probe");
            }
            else
            {
                Log.ProbeFailed(_logger, Config.Name, _primary.Endpoint.ToString());
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ProbeFailed(_logger, Config.Name, _primary.Endpoint.ToString());
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    public void Dispose()
    {
        lock (_switchGate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            ProxmoxMetrics.Forget(this);
            _probeTimer?.Dispose();
            _probeTimer = null;
        }
        _primary.Dispose();
        _secondary?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
