using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Timeouts;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Nexus.Proxmox.Resilience;

/// <summary>
/// The Polly pipelines of one endpoint. Every attempt passes the endpoint's single circuit breaker and a timeout
/// read from the learned estimator at call time; idempotent requests are wrapped in a retry outside the breaker,
/// so each retry is one more attempt the breaker counts. Power actions get no retry at all.
/// </summary>
internal sealed class EndpointPipelines
{
    public static readonly ResiliencePropertyKey<RequestClass> RequestClassKey = new("nexus.proxmox.request-class");

    public EndpointPipelines(ProxmoxEndpoint endpoint, TimeoutBook timeouts, ProxmoxClientOptions options, TimeProvider time)
    {
        var key = endpoint.ToString();
        StateProvider = new CircuitBreakerStateProvider();
        ManualControl = new CircuitBreakerManualControl();

        Attempt = new ResiliencePipelineBuilder<RawResponse> { TimeProvider = time, Name = key }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<RawResponse>
            {
                // A failure ratio rather than a consecutive count: Polly v8's breaker is ratio-based, and with the
                // small minimum throughput it still opens after one fully failed call (3 attempts) in 30 s.
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                StateProvider = StateProvider,
                ManualControl = ManualControl,
                ShouldHandle = args => ValueTask.FromResult(
                    TransientFailures.IsEndpointFailure(args.Outcome.Exception, args.Outcome.Result?.StatusCode)),
                OnOpened = args =>
                {
                    BreakerOpened?.Invoke(args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(
                    timeouts.For(key, args.Context.Properties.GetValue(RequestClassKey, RequestClass.Read)).Timeout),
                OnTimeout = args =>
                {
                    timeouts.For(key, args.Context.Properties.GetValue(RequestClassKey, RequestClass.Read)).RecordTimeout();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        WithRetry = new ResiliencePipelineBuilder<RawResponse> { TimeProvider = time, Name = key + "/retry" }
            .AddRetry(new RetryStrategyOptions<RawResponse>
            {
                MaxRetryAttempts = Math.Max(options.MaxRetries, 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    options.MaxRetries > 0
                    && TransientFailures.IsRetryable(args.Outcome.Exception, args.Outcome.Result?.StatusCode)),
            })
            .AddPipeline(Attempt)
            .Build();
    }

    /// <summary>Breaker + timeout: one attempt (power actions, console set-up).</summary>
    public ResiliencePipeline<RawResponse> Attempt { get; }

    /// <summary>Retry + breaker + timeout (idempotent GETs).</summary>
    public ResiliencePipeline<RawResponse> WithRetry { get; }

    public CircuitBreakerStateProvider StateProvider { get; }

    public CircuitBreakerManualControl ManualControl { get; }

    public event Action<TimeSpan>? BreakerOpened;
}
