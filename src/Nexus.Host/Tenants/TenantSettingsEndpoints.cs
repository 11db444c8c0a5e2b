using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Tenants;
using Nexus.Grains.Authorization;
using Nexus.Host.Audit;
using Nexus.Host.Servers;
using Nexus.Host.Web;

namespace Nexus.Host.Tenants;

/// <summary>
/// A tenant's settings (seed §1.8 plus Nexus' console, polling and quota limits). In a <c>PUT</c>, an absent
/// field keeps its current value. <see cref="LogoUrl"/> carries the logo's content hash, so a client may cache it forever.
/// </summary>
internal sealed record TenantSettingsDto(
    string? PrimaryColor,
    string? SecondaryColor,
    string? AccentColor,
    string? NotificationEmail,
    bool? NotifyOnServerOffline,
    bool? NotifyOnVmAction,
    bool? NotifyOnUserChanges,
    int? DefaultConnectionTimeoutMs,
    bool? DefaultVerifySsl,
    int? AutoHealthCheckIntervalMs,
    decimal? AlertSuccessRateThreshold,
    int? AlertLatencyThresholdMs,
    int? AlertOfflineDurationSeconds,
    int? ConsoleMaxSessionsPerTenant,
    int? ConsoleIdleTimeoutSeconds,
    int? ConsoleMaxDurationSeconds,
    int? PollIntervalSeconds,
    int? ServerQuota,
    string? LogoUrl = null)
{
    public static TenantSettingsDto From(TenantSettings settings)
    {
        var v = settings.Values;
        return new(v.PrimaryColor, v.SecondaryColor, v.AccentColor, v.NotificationEmail, v.NotifyOnServerOffline, v.NotifyOnVmAction,
            v.NotifyOnUserChanges, v.DefaultConnectionTimeoutMs, v.DefaultVerifySsl, v.AutoHealthCheckIntervalMs, v.AlertSuccessRateThreshold,
            v.AlertLatencyThresholdMs, v.AlertOfflineDurationSeconds, v.ConsoleMaxSessionsPerTenant, v.ConsoleIdleTimeoutSeconds,
            v.ConsoleMaxDurationSeconds, v.PollIntervalSeconds, v.ServerQuota,
            settings.LogoSha256 is { } hash ? TenantLogoEndpoints.UrlFor(settings.TenantId, hash) : null);
    }
}

/// <summary>
/// <c>/api/tenants/{id}/settings</c>: members read (defaults when nothing was saved; reading never writes), the
/// tenant's admins change them. The server quota and the console session limit are the operator's limits on a
/// tenant, so only a global admin changes those two.
/// </summary>
internal static partial class TenantSettingsEndpoints
{
    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex Colour();

    public static IEndpointRouteBuilder MapTenantSettingsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/tenants/{id:guid}/settings").WithTags("Tenant settings").RequireAuthorization();
        group.MapGet("", GetAsync);
        group.MapPut("", PutAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<TenantSettingsDto>, ProblemHttpResult>> GetAsync(
        Guid id, CurrentUser caller, INexusDatabase database, TenantGate gate, TenantSettingsStore settings, CancellationToken ct) =>
        await database.AsUserAsync<Results<Ok<TenantSettingsDto>, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.View);
            if (denied is not null)
            {
                return denied;
            }
            var current = await settings.GetAsync(session, id);
            return current is null ? Problems.NotFound("The tenant") : TypedResults.Ok(TenantSettingsDto.From(current));
        }, ct);

    private static async Task<Results<Ok<TenantSettingsDto>, ValidationProblem, ProblemHttpResult>> PutAsync(
        Guid id, TenantSettingsDto request, CurrentUser caller, HttpContext context, INexusDatabase database, TenantGate gate,
        TenantSettingsStore settings, AuditLog audit, InventoryOptions inventory, CancellationToken ct)
    {
        var errors = Validate(request, inventory);
        return await database.AsUserAsync<Results<Ok<TenantSettingsDto>, ValidationProblem, ProblemHttpResult>>(caller.Id, async session =>
        {
            var (_, denied) = await gate.CheckAsync(session, caller, id, TenantAction.ManageSettings);
            if (denied is not null)
            {
                return denied;
            }
            if (errors.Any)
            {
                return errors.ToResult();
            }
            var current = (await settings.GetAsync(session, id))!.Values;
            if (!caller.IsGlobalAdmin
                && ((request.ServerQuota is { } quota && quota != current.ServerQuota)
                    || (request.ConsoleMaxSessionsPerTenant is { } sessions && sessions != current.ConsoleMaxSessionsPerTenant)))
            {
                return Problems.Forbidden("Only a global admin changes serverQuota and consoleMaxSessionsPerTenant.");
            }
            var next = new TenantSettingsValues(
                request.PrimaryColor ?? current.PrimaryColor,
                request.SecondaryColor ?? current.SecondaryColor,
                request.AccentColor ?? current.AccentColor,
                request.NotificationEmail is null ? current.NotificationEmail : string.IsNullOrWhiteSpace(request.NotificationEmail) ? null : request.NotificationEmail.Trim(),
                request.NotifyOnServerOffline ?? current.NotifyOnServerOffline,
                request.NotifyOnVmAction ?? current.NotifyOnVmAction,
                request.NotifyOnUserChanges ?? current.NotifyOnUserChanges,
                request.DefaultConnectionTimeoutMs ?? current.DefaultConnectionTimeoutMs,
                request.DefaultVerifySsl ?? current.DefaultVerifySsl,
                request.AutoHealthCheckIntervalMs ?? current.AutoHealthCheckIntervalMs,
                request.AlertSuccessRateThreshold ?? current.AlertSuccessRateThreshold,
                request.AlertLatencyThresholdMs ?? current.AlertLatencyThresholdMs,
                request.AlertOfflineDurationSeconds ?? current.AlertOfflineDurationSeconds,
                request.ConsoleMaxSessionsPerTenant ?? current.ConsoleMaxSessionsPerTenant,
                request.ConsoleIdleTimeoutSeconds ?? current.ConsoleIdleTimeoutSeconds,
                request.ConsoleMaxDurationSeconds ?? current.ConsoleMaxDurationSeconds,
                request.PollIntervalSeconds ?? current.PollIntervalSeconds,
                request.ServerQuota ?? current.ServerQuota);
            await settings.UpdateAsync(session, id, next);
            await audit.WriteAsync(session, AuditEntries.Create(id, caller.Id, AuditActions.SettingsUpdated, AuditTargets.Settings,
                id.ToString(), "Tenant settings", AuditOutcome.Success, new { changes = Changes(current, next) }, ClientInfo.From(context)));
            return TypedResults.Ok(TenantSettingsDto.From((await settings.GetAsync(session, id))!));
        }, ct);
    }

    /// <summary>The prototype's ranges (seed F12), in the units stored; the poll interval's floor is the operator's.</summary>
    private static FieldErrors Validate(TenantSettingsDto s, InventoryOptions inventory)
    {
        var errors = new FieldErrors();
        foreach (var (value, field) in new[] { (s.PrimaryColor, "primaryColor"), (s.SecondaryColor, "secondaryColor"), (s.AccentColor, "accentColor") })
        {
            errors.Check(value is null || Colour().IsMatch(value), field, "A colour as #rrggbb.");
        }
        if (!string.IsNullOrWhiteSpace(s.NotificationEmail))
        {
            errors.MaxLength(s.NotificationEmail.Trim(), 320, "notificationEmail");
            errors.Check(System.Net.Mail.MailAddress.TryCreate(s.NotificationEmail.Trim(), out _), "notificationEmail", "Not a valid email address.");
        }
        errors.Range(s.DefaultConnectionTimeoutMs, 5_000, 120_000, "defaultConnectionTimeoutMs");
        errors.Range(s.AutoHealthCheckIntervalMs, 60_000, 3_600_000, "autoHealthCheckIntervalMs");
        errors.Check(s.AlertSuccessRateThreshold is null or (>= 50 and <= 100), "alertSuccessRateThreshold", "Must be between 50 and 100.");
        errors.Range(s.AlertLatencyThresholdMs, 100, 5_000, "alertLatencyThresholdMs");
        errors.Range(s.AlertOfflineDurationSeconds, 10, 300, "alertOfflineDurationSeconds");
        errors.Range(s.ConsoleMaxSessionsPerTenant, 1, 1_000, "consoleMaxSessionsPerTenant");
        errors.Range(s.ConsoleIdleTimeoutSeconds, 60, 86_400, "consoleIdleTimeoutSeconds");
        errors.Range(s.ConsoleMaxDurationSeconds, 60, 86_400, "consoleMaxDurationSeconds");
        errors.Range(s.PollIntervalSeconds, inventory.MinimumPollIntervalSeconds, InventoryOptions.MaximumPollIntervalSeconds, "pollIntervalSeconds");
        errors.Range(s.ServerQuota, 1, 10_000, "serverQuota");
        return errors;
    }

    private static Dictionary<string, object?> Changes(TenantSettingsValues before, TenantSettingsValues after)
    {
        var changes = new Dictionary<string, object?>();
        foreach (var property in typeof(TenantSettingsValues).GetProperties())
        {
            var (a, b) = (property.GetValue(before), property.GetValue(after));
            if (!Equals(a, b))
            {
                changes[char.ToLowerInvariant(property.Name[0]) + property.Name[1..]] = new { from = a, to = b };
            }
        }
        return changes;
    }
}
