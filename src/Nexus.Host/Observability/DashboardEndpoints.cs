using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Host.Audit;
using Nexus.Host.Web;
using Orleans.Dashboard;

namespace Nexus.Host.Observability;

/// <summary>Where the dashboard session opened, and until when.</summary>
internal sealed record DashboardSessionDto(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// <c>POST /api/admin/dashboard-session</c> (global admins) sets the dashboard cookie; the Orleans Dashboard at
/// <see cref="ObservabilityOptions.DashboardPath"/> accepts only that cookie. Opening a session is audited: the
/// dashboard shows grain keys and the cluster's inner workings.
/// </summary>
internal static class DashboardEndpoints
{
    public const string OpenedAction = "admin.dashboard_opened";
    public const string DashboardTarget = "orleans_dashboard";

    public static IEndpointRouteBuilder MapNexusDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/admin/dashboard-session", OpenAsync).WithTags("Observability").RequireAuthorization();
        endpoints.MapOrleansDashboard(ObservabilityOptions.DashboardPath)
            .RequireAuthorization(DashboardAuthentication.Policy)
            .ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<Results<Ok<DashboardSessionDto>, ProblemHttpResult>> OpenAsync(
        CurrentUser caller, HttpContext context, DashboardSessions sessions, INexusDatabase database, AuditLog audit, CancellationToken ct)
    {
        var client = ClientInfo.From(context);
        if (!caller.IsGlobalAdmin)
        {
            await database.AsUserAsync(caller.Id, async session =>
            {
                await audit.WriteAsync(session, AuditEntries.Create(null, caller.Id, OpenedAction, DashboardTarget, null, null, AuditOutcome.Denied, null, client));
                return true;
            }, ct);
            return Problems.Forbidden("The Orleans Dashboard is for global admins.");
        }
        // Audited before the cookie is set: no session without its row.
        await database.AsUserAsync(caller.Id, async session =>
        {
            await audit.WriteAsync(session, AuditEntries.Create(null, caller.Id, OpenedAction, DashboardTarget, null, null,
                AuditOutcome.Success, new { lifetimeMinutes = sessions.Lifetime.TotalMinutes }, client));
            return true;
        }, ct);
        var expires = sessions.Open(context.Response, caller.Id);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new DashboardSessionDto(ObservabilityOptions.DashboardPath + "/", expires));
    }
}
