using System.ComponentModel.DataAnnotations;

namespace Nexus.Host.Health;

/// <summary>How a silo leaves a running cluster on SIGTERM (configuration section <c>Nexus:Shutdown</c>).</summary>
internal sealed class ShutdownOptions : IValidatableObject
{
    public const string Section = "Nexus:Shutdown";

    /// <summary>
    /// From SIGTERM until Kestrel stops accepting connections. Meanwhile <c>/readyz</c> answers 503, new WebSocket
    /// handshakes are dropped unanswered (so nginx tries another silo) and ordinary requests are still served, each answered with <c>Connection: close</c>. A
    /// load balancer that polls readiness (Kubernetes) needs this long to stop routing here. nginx's passive checks
    /// need it to empty its pool of keep-alive connections to this silo before the listener closes. Behind Kubernetes,
    /// add the endpoint propagation time (the manifests' <c>preStop</c> sleep).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "must be between 0 and 60 seconds")]
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The whole stop: the drain delay, in-flight requests, closing consoles, the silo leaving the cluster
    /// (<c>HostOptions.ShutdownTimeout</c>). Whatever is still running after this is cut off. The process manager's
    /// grace period (<c>TimeoutStopSec</c>, <c>terminationGracePeriodSeconds</c>, <c>stop_grace_period</c>) must be longer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00", ErrorMessage = "must be between 5 seconds and 10 minutes")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DrainDelay >= Timeout)
        {
            yield return new ValidationResult("must be shorter than Timeout, which it is part of", [nameof(DrainDelay)]);
        }
    }
}
