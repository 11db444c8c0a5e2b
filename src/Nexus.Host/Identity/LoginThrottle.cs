using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Nexus.Host.Web;

namespace Nexus.Host.Identity;

/// <summary>
/// Throttles sign-in with ASP.NET Core's rate limiter twice: per client address (endpoint policy
/// <see cref="PerIpPolicy"/>, for one client spraying many accounts) and per account (checked in the handler once
/// the email is known, for many clients guessing one account). Rejections are 429 with <c>Retry-After</c>.
/// </summary>
internal sealed class LoginThrottle : IDisposable
{
    public const string PerIpPolicy = "auth-per-ip";

    private readonly PartitionedRateLimiter<string> _perAccount;

    public LoginThrottle(AuthOptions options)
    {
        _perAccount = PartitionedRateLimiter.Create<string, string>(email =>
            RateLimitPartition.GetFixedWindowLimiter(email, _ => Window(options.PerAccountPermitLimit, options.ThrottleWindow)));
    }

    /// <summary>Null when the attempt may go on; else the 429 to answer.</summary>
    public ProblemHttpResult? TryAccount(string normalizedEmail, HttpContext context)
    {
        using var lease = _perAccount.AttemptAcquire(normalizedEmail);
        return lease.IsAcquired ? null : Rejected(context, lease);
    }

    public void Dispose() => _perAccount.Dispose();

    public static void AddPolicies(IServiceCollection services, AuthOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PerIpPolicy, context =>
                RateLimitPartition.GetFixedWindowLimiter(
                    ClientInfo.From(context).IpAddress?.ToString() ?? "unknown",
                    _ => Window(options.PerIpPermitLimit, options.ThrottleWindow)));
            limiter.OnRejected = async (rejected, ct) =>
            {
                var result = Rejected(rejected.HttpContext, rejected.Lease);
                await result.ExecuteAsync(rejected.HttpContext);
            };
        });
    }

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) => new()
    {
        PermitLimit = permits,
        Window = window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static ProblemHttpResult Rejected(HttpContext context, RateLimitLease lease)
    {
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many attempts",
            detail: $"Too many sign-in attempts. Try again in {seconds} seconds.");
    }
}
