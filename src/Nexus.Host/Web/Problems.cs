using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Grains.Authorization;

namespace Nexus.Host.Web;

/// <summary>
/// The error answers of the API, all as RFC 9457 ProblemDetails. One rule for ids the caller may not see:
/// <see cref="NotFound"/>, exactly as for ids that do not exist.
/// </summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound(string what = "The resource") =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{what} does not exist or you may not see it.");

    public static ProblemHttpResult Forbidden(string detail = "You are not allowed to do this.") =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);

    public static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);

    /// <summary>The problem for a denied <see cref="AccessDecision"/>; null when allowed.</summary>
    public static ProblemHttpResult? For(AccessDecision decision, string what) => decision switch
    {
        AccessDecision.Allowed => null,
        AccessDecision.Forbidden => Forbidden(),
        _ => NotFound(what),
    };
}
