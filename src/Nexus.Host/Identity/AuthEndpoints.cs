using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Host.Observability;
using Nexus.Host.Web;

namespace Nexus.Host.Identity;

internal sealed record LoginRequest(string? Email, string? Password);

internal sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, MeResponse User);

/// <summary><c>/api/auth</c>: sign in, refresh, sign out. Anonymous by nature; throttled per client address.</summary>
internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/auth").WithTags("Authentication").AllowAnonymous();
        group.MapPost("/login", LoginAsync).RequireRateLimiting(LoginThrottle.PerIpPolicy);
        group.MapPost("/refresh", RefreshAsync).RequireRateLimiting(LoginThrottle.PerIpPolicy);
        group.MapPost("/logout", LogoutAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        LoginRequest request, HttpContext context, SignIn signIn, LoginThrottle throttle, AccessTokens tokens, Profiles me, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Check(!string.IsNullOrWhiteSpace(request.Email), "email", "An email address is required.");
        errors.Check(!string.IsNullOrEmpty(request.Password), "password", "A password is required.");
        errors.MaxLength(request.Email, 320, "email");
        errors.MaxLength(request.Password, PasswordRules.MaxLength, "password");
        if (errors.Any)
        {
            return errors.ToResult();
        }
        var email = request.Email!.Trim();
        if (throttle.TryAccount(email.ToLowerInvariant(), context) is { } rejected)
        {
            return rejected;
        }

        var result = await signIn.PasswordAsync(email, request.Password!, ClientInfo.From(context), ct);
        return result switch
        {
            SignInResult.Success success => TypedResults.Ok(await IssueAsync(context, success, tokens, me, ct)),
            SignInResult.LockedOut locked => TypedResults.Problem(
                statusCode: StatusCodes.Status423Locked,
                title: "Account locked",
                detail: $"Too many failed sign-in attempts. This account is locked until {locked.Until.ToString("u", CultureInfo.InvariantCulture)}.",
                extensions: new Dictionary<string, object?> { ["lockedUntil"] = locked.Until }),
            SignInResult.Disabled => Problems.Forbidden("This account is disabled. Ask an administrator to enable it."),
            _ => Problems.Unauthorized("The email address or the password is wrong."),
        };
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(
        HttpContext context, SignIn signIn, AccessTokens tokens, Profiles me, CancellationToken ct)
    {
        if (RefreshCookie.Read(context.Request) is not { } presented)
        {
            return Problems.Unauthorized("No session to refresh. Sign in again.");
        }
        var result = await signIn.RefreshAsync(presented, ClientInfo.From(context), ct);
        if (result is not SignInResult.Success success)
        {
            RefreshCookie.Clear(context.Response);
            return Problems.Unauthorized("The session has ended. Sign in again.");
        }
        return TypedResults.Ok(await IssueAsync(context, success, tokens, me, ct));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context, SignIn signIn, CancellationToken ct)
    {
        if (RefreshCookie.Read(context.Request) is { } presented)
        {
            await signIn.SignOutAsync(presented, ClientInfo.From(context), ct);
        }
        RefreshCookie.Clear(context.Response);
        DashboardSessions.Close(context.Response);
        return TypedResults.NoContent();
    }

    private static async Task<TokenResponse> IssueAsync(HttpContext context, SignInResult.Success success, AccessTokens tokens, Profiles me, CancellationToken ct)
    {
        RefreshCookie.Set(context.Response, success.RefreshToken, success.RefreshExpiresAt);
        var (accessToken, expiresAt) = tokens.Issue(success.User.Id, success.User.TokenGeneration);
        var profile = await me.GetAsync(success.User.Id, ct);
        return new TokenResponse(accessToken, expiresAt, profile!);
    }
}
