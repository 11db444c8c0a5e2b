using Polly.Timeout;

namespace Nexus.Proxmox.Resilience;

/// <summary>Which failures are worth a retry and which say the endpoint itself is unhealthy.</summary>
internal static class TransientFailures
{
    /// <summary>
    /// Retry (idempotent requests only): transport errors, timeouts, and 5xx except 501 ("no such uri" never
    /// changes). 595/596 are pveproxy's pseudo-codes for a node it could not proxy to. A TLS refusal is not retried.
    /// </summary>
    public static bool IsRetryable(Exception? exception, int? status) =>
        exception is not null ? IsTransportFailure(exception) : status is >= 500 and not 501;

    /// <summary>
    /// Breaker: only failures that say "this endpoint is not serving". A 500 is pveproxy answering for a handler
    /// that died (<c>VM 100 not running</c>): the endpoint is fine, so it must not push traffic to the secondary.
    /// </summary>
    public static bool IsEndpointFailure(Exception? exception, int? status) =>
        exception is not null ? IsTransportFailure(exception) : status is 502 or 503 or 504 or 595 or 596;

    private static bool IsTransportFailure(Exception exception) => exception switch
    {
        TimeoutRejectedException => true,
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => false,
        HttpRequestException => true,
        IOException => true,
        _ => false,
    };
}
