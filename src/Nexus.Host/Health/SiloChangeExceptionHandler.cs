using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Net.Http.Headers;

namespace Nexus.Host.Health;

/// <summary>
/// A grain call that failed because the grain's silo was leaving the cluster at that moment: the target silo
/// became unavailable, the message was rejected, or the response never came. The request did nothing wrong and
/// will work a moment later, once the grain is active on another silo. So it is 503 with <c>Retry-After</c>, which
/// the web client retries (idempotent requests) and nginx passes to another silo. A plain 500 is for bugs.
/// </summary>
internal sealed partial class SiloChangeExceptionHandler(ILogger<SiloChangeExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (OrleansMessageRejectionException or TimeoutException) || httpContext.Response.HasStarted)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: a grain was unreachable while a silo left the cluster ({Error}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, string error);
}
