-- Per-tenant settings. A missing row, or a NULL column, means "the default": reading never writes, and the
-- defaults live in one place, the view nexus.tenant_settings_effective below.
CREATE TABLE nexus.tenant_settings (
    tenant_id                         uuid PRIMARY KEY REFERENCES nexus.tenants (id) ON DELETE CASCADE,
    primary_color                     text CHECK (primary_color ~ '^#[0-9a-fA-F]{6}$'),
    secondary_color                   text CHECK (secondary_color ~ '^#[0-9a-fA-F]{6}$'),
    accent_color                      text CHECK (accent_color ~ '^#[0-9a-fA-F]{6}$'),
    notification_email                text CHECK (length(notification_email) <= 320 AND position('@' IN notification_email) > 1),
    notify_on_server_offline          boolean,
    notify_on_vm_action               boolean,
    notify_on_user_changes            boolean,
    default_connection_timeout_ms     integer CHECK (default_connection_timeout_ms BETWEEN 5000 AND 120000),
    default_verify_ssl                boolean,
    auto_health_check_interval_ms     integer CHECK (auto_health_check_interval_ms BETWEEN 60000 AND 3600000),
    alert_success_rate_threshold      numeric(5, 2) CHECK (alert_success_rate_threshold BETWEEN 50 AND 100),
    alert_latency_threshold_ms        integer CHECK (alert_latency_threshold_ms BETWEEN 100 AND 5000),
    alert_offline_duration_seconds    integer CHECK (alert_offline_duration_seconds BETWEEN 10 AND 300),
    console_max_sessions_per_tenant   integer CHECK (console_max_sessions_per_tenant BETWEEN 1 AND 1000),
    console_idle_timeout_seconds      integer CHECK (console_idle_timeout_seconds BETWEEN 60 AND 86400),
    console_max_duration_seconds      integer CHECK (console_max_duration_seconds BETWEEN 60 AND 86400),
    poll_interval_seconds             integer CHECK (poll_interval_seconds BETWEEN 5 AND 300),
    server_quota                      integer CHECK (server_quota BETWEEN 1 AND 10000),
    created_at                        timestamptz NOT NULL DEFAULT now(),
    updated_at                        timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER tenant_settings_touch BEFORE UPDATE ON nexus.tenant_settings
    FOR EACH ROW EXECUTE FUNCTION nexus.touch_updated_at();

-- The logo itself, in the database so that every silo serves the same bytes. Raster formats only: an SVG can
-- carry script.
CREATE TABLE nexus.tenant_logos (
    tenant_id    uuid PRIMARY KEY REFERENCES nexus.tenants (id) ON DELETE CASCADE,
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    bytes        bytea NOT NULL CHECK (length(bytes) BETWEEN 1 AND 2097152),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER tenant_logos_touch BEFORE UPDATE ON nexus.tenant_logos
    FOR EACH ROW EXECUTE FUNCTION nexus.touch_updated_at();

-- Every tenant the caller can see, with each setting resolved to its value or its default (prototype defaults;
-- console, polling and quota defaults are Nexus' own). security_invoker: the caller's RLS applies through it.
CREATE VIEW nexus.tenant_settings_effective WITH (security_invoker = true) AS
SELECT
    t.id AS tenant_id,
    coalesce(s.primary_color, '#3b82f6')                 AS primary_color,
    coalesce(s.secondary_color, '#1e40af')               AS secondary_color,
    coalesce(s.accent_color, '#f59e0b')                  AS accent_color,
    s.notification_email                                 AS notification_email,
    coalesce(s.notify_on_server_offline, true)           AS notify_on_server_offline,
    coalesce(s.notify_on_vm_action, false)               AS notify_on_vm_action,
    coalesce(s.notify_on_user_changes, true)             AS notify_on_user_changes,
    coalesce(s.default_connection_timeout_ms, 10000)     AS default_connection_timeout_ms,
    coalesce(s.default_verify_ssl, true)                 AS default_verify_ssl,
    coalesce(s.auto_health_check_interval_ms, 300000)    AS auto_health_check_interval_ms,
    coalesce(s.alert_success_rate_threshold, 80)::numeric(5, 2) AS alert_success_rate_threshold,
    coalesce(s.alert_latency_threshold_ms, 500)          AS alert_latency_threshold_ms,
    coalesce(s.alert_offline_duration_seconds, 60)       AS alert_offline_duration_seconds,
    coalesce(s.console_max_sessions_per_tenant, 20)      AS console_max_sessions_per_tenant,
    coalesce(s.console_idle_timeout_seconds, 900)        AS console_idle_timeout_seconds,
    coalesce(s.console_max_duration_seconds, 14400)      AS console_max_duration_seconds,
    coalesce(s.poll_interval_seconds, 10)                AS poll_interval_seconds,
    coalesce(s.server_quota, 50)                         AS server_quota,
    l.sha256                                             AS logo_sha256,
    l.content_type                                       AS logo_content_type,
    s.updated_at                                         AS updated_at
FROM nexus.tenants t
LEFT JOIN nexus.tenant_settings s ON s.tenant_id = t.id
LEFT JOIN nexus.tenant_logos l ON l.tenant_id = t.id;

ALTER TABLE nexus.tenant_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE nexus.tenant_logos ENABLE ROW LEVEL SECURITY;

-- Members read their tenant's settings and logo; the tenant's admins (and global admins) change them.
CREATE POLICY tenant_settings_app_select ON nexus.tenant_settings FOR SELECT TO nexus_app
    USING (nexus.can_access_tenant(tenant_id));
CREATE POLICY tenant_settings_app_insert ON nexus.tenant_settings FOR INSERT TO nexus_app
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY tenant_settings_app_update ON nexus.tenant_settings FOR UPDATE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']))
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY tenant_settings_app_delete ON nexus.tenant_settings FOR DELETE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY tenant_settings_worker_select ON nexus.tenant_settings FOR SELECT TO nexus_worker USING (true);

CREATE POLICY tenant_logos_app_select ON nexus.tenant_logos FOR SELECT TO nexus_app
    USING (nexus.can_access_tenant(tenant_id));
CREATE POLICY tenant_logos_app_insert ON nexus.tenant_logos FOR INSERT TO nexus_app
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY tenant_logos_app_update ON nexus.tenant_logos FOR UPDATE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']))
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY tenant_logos_app_delete ON nexus.tenant_logos FOR DELETE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY tenant_logos_worker_select ON nexus.tenant_logos FOR SELECT TO nexus_worker USING (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON nexus.tenant_settings, nexus.tenant_logos TO nexus_app;
GRANT SELECT ON nexus.tenant_settings, nexus.tenant_logos, nexus.tenant_settings_effective TO nexus_app, nexus_worker;
