using Microsoft.AspNetCore.Diagnostics;
using Nexus.Data;

namespace Nexus.Host.Web;

/// <summary>
/// Turns the database's typed refusals into ProblemDetails: a unique key → 409; the last-admin rule → 409; a
/// refusal by row-level security or a guard trigger → 403. The application's policy answers first, so a 403
/// from here means the two layers disagree, which is logged. Anything else stays a 500 without internals.
/// </summary>
internal sealed class DataExceptionHandler(IProblemDetailsService problems, ILogger<DataExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Classify(exception);
        if (status == 0)
        {
            return false;
        }
        if (status == StatusCodes.Status403Forbidden)
        {
            logger.LogWarning("The database refused a write the application allowed: {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static (int Status, string Title, string Detail) Classify(Exception exception) => exception switch
    {
        DuplicateException duplicate => (StatusCodes.Status409Conflict, "Conflict", DuplicateDetail(duplicate.Constraint)),
        ConstraintViolationException { Constraint: "users_last_admin" } =>
            (StatusCodes.Status409Conflict, "Conflict", "The last active global admin cannot be demoted, disabled or deleted."),
        ConstraintViolationException => (StatusCodes.Status400BadRequest, "Bad request", "A value is out of its allowed range."),
        ReferenceException => (StatusCodes.Status404NotFound, "Not found", "A referenced item does not exist or you may not see it."),
        DataAccessDeniedException => (StatusCodes.Status403Forbidden, "Forbidden", "You are not allowed to do this."),
        _ => (0, "", ""),
    };

    private static string DuplicateDetail(string constraint) => constraint switch
    {
        "users_email_key" => "An account with this email address already exists.",
        "users_username_key" => "This username is taken.",
        "tenants_slug_key" => "A tenant with this slug already exists.",
        "vm_grants_user_vm_key" => "This user already has a grant for this VM; change it instead.",
        _ => "An item with the same unique value already exists.",
    };
}
