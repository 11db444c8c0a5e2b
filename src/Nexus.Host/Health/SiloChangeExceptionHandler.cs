using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Net.Http.Headers;

namespace Nexus.Host.Health;

/// <summary>
/// A grain call that failed because the grain's silo was leaving the cluster at that moment: the target silo
/// became unavailable, the message was rejected, or the response never came. The request did nothing wrong and
/// will work a moment later, once the grain is active on another silo. So it is 503 with <c>Retry-After</c>, which
/// the web client retries (idempotent requests). A plain 500 is for bugs.
/// </summary>
internal sealed partial class SiloChangeExceptionHandler(ILogger<SiloChangeExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // Orleans reports a grain call that never got its response as a TimeoutException with its own message (the
        // runtime's only signal); other timeouts (ours, Proxmox's) are not about a silo leaving and stay 500 or their own answer.
        if (!IsSiloChange(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }
        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers[HeaderNames.RetryAfter] = "1";
        await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again",
            detail: "Part of the cluster is restarting; the request can be sent again.").ExecuteAsync(httpContext);
        return true;
    }

    private static bool IsSiloChange(Exception exception) => exception is OrleansMessageRejectionException
        || (exception is TimeoutException && exception.Message.StartsWith("Response did not arrive on time", StringComparison.Ordinal));

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: a grain was unreachable while a silo left the cluster ({Error}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, string error);
}
