using Dapper;
using Nexus.Data.Access;

namespace Nexus.Data.Tenants;

/// <summary>
/// The editable settings of a tenant. Ranges (enforced by CHECK constraints; the API validates first):
/// connection timeout 5000–120000 ms, health-check interval 60000–3600000 ms, success-rate threshold 50–100,
/// latency threshold 100–5000 ms, offline duration 10–300 s, poll interval 5–300 s, console sessions 1–1000,
/// console idle and maximum duration 60–86400 s, server quota 1–10000. Colours are <c>#rrggbb</c>.
/// </summary>
public sealed record TenantSettingsValues(
    string PrimaryColor,
    string SecondaryColor,
    string AccentColor,
    string? NotificationEmail,
    bool NotifyOnServerOffline,
    bool NotifyOnVmAction,
    bool NotifyOnUserChanges,
    int DefaultConnectionTimeoutMs,
    bool DefaultVerifySsl,
    int AutoHealthCheckIntervalMs,
    decimal AlertSuccessRateThreshold,
    int AlertLatencyThresholdMs,
    int AlertOfflineDurationSeconds,
    int ConsoleMaxSessionsPerTenant,
    int ConsoleIdleTimeoutSeconds,
    int ConsoleMaxDurationSeconds,
    int PollIntervalSeconds,
    int ServerQuota);

/// <summary>A tenant's settings with defaults filled in, plus its logo's hash (for cache-busting URLs).</summary>
public sealed record TenantSettings(
    Guid TenantId,
    TenantSettingsValues Values,
    string? LogoSha256,
    string? LogoContentType,
    DateTime? UpdatedAt);

/// <summary>
/// Tenant settings. Reading never writes: a tenant without a row reads as the defaults. Members read; the
/// tenant's admins (and global admins) write.
/// </summary>
public sealed class TenantSettingsStore
{
    /// <summary>The effective settings, or null when the tenant does not exist or is not visible to the caller.</summary>
    public async Task<TenantSettings?> GetAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var row = await session.Connection.QuerySingleOrDefaultAsync<SettingsRow>(
            """
            SELECT tenant_id AS TenantId, primary_color AS PrimaryColor, secondary_color AS SecondaryColor,
                   accent_color AS AccentColor, notification_email AS NotificationEmail,
                   notify_on_server_offline AS NotifyOnServerOffline, notify_on_vm_action AS NotifyOnVmAction,
                   notify_on_user_changes AS NotifyOnUserChanges, default_connection_timeout_ms AS DefaultConnectionTimeoutMs,
                   default_verify_ssl AS DefaultVerifySsl, auto_health_check_interval_ms AS AutoHealthCheckIntervalMs,
                   alert_success_rate_threshold AS AlertSuccessRateThreshold, alert_latency_threshold_ms AS AlertLatencyThresholdMs,
                   alert_offline_duration_seconds AS AlertOfflineDurationSeconds,
                   console_max_sessions_per_tenant AS ConsoleMaxSessionsPerTenant,
                   console_idle_timeout_seconds AS ConsoleIdleTimeoutSeconds,
                   console_max_duration_seconds AS ConsoleMaxDurationSeconds, poll_interval_seconds AS PollIntervalSeconds,
                   server_quota AS ServerQuota, logo_sha256 AS LogoSha256, logo_content_type AS LogoContentType,
                   updated_at AS UpdatedAt
            FROM nexus.tenant_settings_effective WHERE tenant_id = @tenantId
            """,
            new { tenantId }, session.Transaction);
        return row?.ToRecord();
    }

    /// <summary>
    /// Stores every value (the row is created on the first write). A caller who may not change this tenant's
    /// settings gets <see cref="DataAccessDeniedException"/> (row-level security refuses the row); an
    /// out-of-range value raises <see cref="ConstraintViolationException"/>; an unknown tenant
    /// <see cref="ReferenceException"/>.
    /// </summary>
    public async Task UpdateAsync(DbSession session, Guid tenantId, TenantSettingsValues values)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(values);
        var parameters = new DynamicParameters(values);
        parameters.Add("tenantId", tenantId);
        await session.Connection.ExecuteAsync(
            """
            INSERT INTO nexus.tenant_settings AS s (
                tenant_id, primary_color, secondary_color, accent_color, notification_email, notify_on_server_offline,
                notify_on_vm_action, notify_on_user_changes, default_connection_timeout_ms, default_verify_ssl,
                auto_health_check_interval_ms, alert_success_rate_threshold, alert_latency_threshold_ms,
                alert_offline_duration_seconds, console_max_sessions_per_tenant, console_idle_timeout_seconds,
                console_max_duration_seconds, poll_interval_seconds, server_quota)
            VALUES (
                @tenantId, @PrimaryColor, @SecondaryColor, @AccentColor, @NotificationEmail, @NotifyOnServerOffline,
                @NotifyOnVmAction, @NotifyOnUserChanges, @DefaultConnectionTimeoutMs, @DefaultVerifySsl,
                @AutoHealthCheckIntervalMs, @AlertSuccessRateThreshold, @AlertLatencyThresholdMs,
                @AlertOfflineDurationSeconds, @ConsoleMaxSessionsPerTenant, @ConsoleIdleTimeoutSeconds,
                @ConsoleMaxDurationSeconds, @PollIntervalSeconds, @ServerQuota)
            ON CONFLICT (tenant_id) DO UPDATE SET
                primary_color = excluded.primary_color, secondary_color = excluded.secondary_color,
                accent_color = excluded.accent_color, notification_email = excluded.notification_email,
                notify_on_server_offline = excluded.notify_on_server_offline,
                notify_on_vm_action = excluded.notify_on_vm_action, notify_on_user_changes = excluded.notify_on_user_changes,
                default_connection_timeout_ms = excluded.default_connection_timeout_ms,
                default_verify_ssl = excluded.default_verify_ssl,
                auto_health_check_interval_ms = excluded.auto_health_check_interval_ms,
                alert_success_rate_threshold = excluded.alert_success_rate_threshold,
                alert_latency_threshold_ms = excluded.alert_latency_threshold_ms,
                alert_offline_duration_seconds = excluded.alert_offline_duration_seconds,
                console_max_sessions_per_tenant = excluded.console_max_sessions_per_tenant,
                console_idle_timeout_seconds = excluded.console_idle_timeout_seconds,
                console_max_duration_seconds = excluded.console_max_duration_seconds,
                poll_interval_seconds = excluded.poll_interval_seconds, server_quota = excluded.server_quota
            """,
            parameters, session.Transaction);
    }

    /// <summary>Back to the defaults (deletes the row).</summary>
    public async Task<bool> ResetAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "DELETE FROM nexus.tenant_settings WHERE tenant_id = @tenantId", new { tenantId }, session.Transaction) == 1;
    }

    private sealed class SettingsRow
    {
        public Guid TenantId { get; init; }
        public string PrimaryColor { get; init; } = "";
        public string SecondaryColor { get; init; } = "";
        public string AccentColor { get; init; } = "";
        public string? NotificationEmail { get; init; }
        public bool NotifyOnServerOffline { get; init; }
        public bool NotifyOnVmAction { get; init; }
        public bool NotifyOnUserChanges { get; init; }
        public int DefaultConnectionTimeoutMs { get; init; }
        public bool DefaultVerifySsl { get; init; }
        public int AutoHealthCheckIntervalMs { get; init; }
        public decimal AlertSuccessRateThreshold { get; init; }
        public int AlertLatencyThresholdMs { get; init; }
        public int AlertOfflineDurationSeconds { get; init; }
        public int ConsoleMaxSessionsPerTenant { get; init; }
        public int ConsoleIdleTimeoutSeconds { get; init; }
        public int ConsoleMaxDurationSeconds { get; init; }
        public int PollIntervalSeconds { get; init; }
        public int ServerQuota { get; init; }
        public string? LogoSha256 { get; init; }
        public string? LogoContentType { get; init; }
        public DateTime? UpdatedAt { get; init; }

        public TenantSettings ToRecord() => new(
            TenantId,
            new TenantSettingsValues(
                PrimaryColor, SecondaryColor, AccentColor, NotificationEmail, NotifyOnServerOffline, NotifyOnVmAction,
                NotifyOnUserChanges, DefaultConnectionTimeoutMs, DefaultVerifySsl, AutoHealthCheckIntervalMs,
                AlertSuccessRateThreshold, AlertLatencyThresholdMs, AlertOfflineDurationSeconds, ConsoleMaxSessionsPerTenant,
                ConsoleIdleTimeoutSeconds, ConsoleMaxDurationSeconds, PollIntervalSeconds, ServerQuota),
            LogoSha256,
            LogoContentType,
            UpdatedAt);
    }
}
