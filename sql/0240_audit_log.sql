-- Who did what, where, with what outcome. Append-only for the web application: nexus_app holds SELECT and
-- INSERT only (no UPDATE, no DELETE, no TRUNCATE), and may only write rows about itself.
-- tenant_id is NULL for installation-wide actions (user administration, login). Deleting a tenant or a user
-- keeps their history: the references become NULL and actor_email still says who it was.
CREATE TABLE nexus.audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid REFERENCES nexus.tenants (id) ON DELETE SET NULL,
    actor_id    uuid REFERENCES nexus.users (id) ON DELETE SET NULL,
    actor_email text,
    action      text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{0,99}$'),
    target_type text CHECK (length(target_type) <= 100),
    target_id   text CHECK (length(target_id) <= 200),
    target_name text CHECK (length(target_name) <= 500),
    outcome     text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    client_ip   inet,
    user_agent  text CHECK (length(user_agent) <= 1000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_time_idx ON nexus.audit_log (tenant_id, created_at DESC, id DESC);
CREATE INDEX audit_log_tenant_action_time_idx ON nexus.audit_log (tenant_id, action, created_at DESC);
CREATE INDEX audit_log_actor_time_idx ON nexus.audit_log (actor_id, created_at DESC);
CREATE INDEX audit_log_time_idx ON nexus.audit_log (created_at DESC, id DESC);

-- The actor's address is taken from the users table, not from the writer, so a row cannot name someone else.
CREATE FUNCTION nexus.audit_log_stamp_actor() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.actor_id IS NOT NULL THEN
        NEW.actor_email := (SELECT u.email FROM nexus.users u WHERE u.id = NEW.actor_id);
    END IF;
    NEW.created_at := now();
    RETURN NEW;
END
$fn$;
CREATE TRIGGER audit_log_stamp_actor BEFORE INSERT ON nexus.audit_log
    FOR EACH ROW EXECUTE FUNCTION nexus.audit_log_stamp_actor();

ALTER TABLE nexus.audit_log ENABLE ROW LEVEL SECURITY;

-- Readers: global admins (everything) and a tenant's admins (that tenant's rows).
CREATE POLICY audit_log_app_select ON nexus.audit_log FOR SELECT TO nexus_app
    USING (nexus.is_global_admin()
           OR (tenant_id IS NOT NULL AND nexus.has_tenant_role(nexus.current_user_id(), tenant_id, ARRAY['admin'])));
-- Writers: the caller, about themselves, in a tenant they can access (or installation-wide). An event about a
-- tenant the caller cannot access (a denied attempt) is written by the worker role.
CREATE POLICY audit_log_app_insert ON nexus.audit_log FOR INSERT TO nexus_app
    WITH CHECK (actor_id IS NOT NULL AND actor_id = nexus.current_user_id()
                AND (tenant_id IS NULL OR nexus.can_access_tenant(tenant_id)));
CREATE POLICY audit_log_worker_select ON nexus.audit_log FOR SELECT TO nexus_worker USING (true);
CREATE POLICY audit_log_worker_insert ON nexus.audit_log FOR INSERT TO nexus_worker WITH CHECK (true);

REVOKE ALL ON nexus.audit_log FROM PUBLIC;
GRANT SELECT ON nexus.audit_log TO nexus_app, nexus_worker;
GRANT INSERT (tenant_id, actor_id, action, target_type, target_id, target_name, outcome, details, client_ip, user_agent)
    ON nexus.audit_log TO nexus_app, nexus_worker;
