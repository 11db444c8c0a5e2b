-- Users, tenants, memberships and the helper functions every row-level security policy uses.

-- The caller of the current transaction, set only by Nexus after authentication with
-- set_config('nexus.user_id', id, true). Unset (background role, or a forgotten scope) reads as NULL, and every
-- policy below compares against it, so an unscoped transaction sees no user-owned rows.
CREATE FUNCTION nexus.current_user_id() RETURNS uuid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$ SELECT nullif(current_setting('nexus.user_id', true), '')::uuid $fn$;

CREATE TABLE nexus.users (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text NOT NULL CHECK (length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1),
    password_hash      text NOT NULL,
    full_name          text CHECK (length(full_name) <= 200),
    username           text CHECK (length(username) BETWEEN 1 AND 100),
    company            text CHECK (length(company) <= 200),
    global_role        text NOT NULL DEFAULT 'user' CHECK (global_role IN ('admin', 'user')),
    disabled           boolean NOT NULL DEFAULT false,
    failed_login_count integer NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
    locked_until       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
-- Addresses are compared case-insensitively: Alice@x and alice@x are one account.
CREATE UNIQUE INDEX users_email_key ON nexus.users (lower(email));
CREATE UNIQUE INDEX users_username_key ON nexus.users (lower(username)) WHERE username IS NOT NULL;
CREATE TRIGGER users_touch BEFORE UPDATE ON nexus.users FOR EACH ROW EXECUTE FUNCTION nexus.touch_updated_at();

CREATE TABLE nexus.tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{1,63}$'),
    description text CHECK (length(description) <= 2000),
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid DEFAULT nexus.current_user_id() REFERENCES nexus.users (id) ON DELETE SET NULL
);
CREATE TRIGGER tenants_touch BEFORE UPDATE ON nexus.tenants FOR EACH ROW EXECUTE FUNCTION nexus.touch_updated_at();

-- Deleting a tenant deletes its memberships; deleting a user deletes theirs (no orphans either way).
CREATE TABLE nexus.tenant_memberships (
    tenant_id  uuid NOT NULL REFERENCES nexus.tenants (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES nexus.users (id) ON DELETE CASCADE,
    role       text NOT NULL DEFAULT 'viewer' CHECK (role IN ('admin', 'manager', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by uuid DEFAULT nexus.current_user_id() REFERENCES nexus.users (id) ON DELETE SET NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX tenant_memberships_user_idx ON nexus.tenant_memberships (user_id);

-- The three helpers below read the tables as their owner (SECURITY DEFINER): a policy on users that asked the
-- users table through RLS would recurse. A fixed search_path keeps a caller's objects from shadowing ours.
-- A disabled account holds no role anywhere.
CREATE FUNCTION nexus.has_role(_user_id uuid, _role text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT EXISTS (SELECT 1 FROM nexus.users u
                   WHERE u.id = _user_id AND u.global_role = _role AND NOT u.disabled)
$fn$;

CREATE FUNCTION nexus.user_has_tenant_access(_user_id uuid, _tenant_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT EXISTS (SELECT 1 FROM nexus.tenant_memberships m JOIN nexus.users u ON u.id = m.user_id
                   WHERE m.user_id = _user_id AND m.tenant_id = _tenant_id AND NOT u.disabled)
$fn$;

CREATE FUNCTION nexus.has_tenant_role(_user_id uuid, _tenant_id uuid, _roles text[]) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT EXISTS (SELECT 1 FROM nexus.tenant_memberships m JOIN nexus.users u ON u.id = m.user_id
                   WHERE m.user_id = _user_id AND m.tenant_id = _tenant_id AND m.role = ANY (_roles)
                     AND NOT u.disabled)
$fn$;

-- Shorthands for the caller of the current transaction, used by the policies.
CREATE FUNCTION nexus.is_global_admin() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$ SELECT nexus.has_role(nexus.current_user_id(), 'admin') $fn$;

CREATE FUNCTION nexus.can_access_tenant(_tenant_id uuid) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT nexus.has_role(nexus.current_user_id(), 'admin')
        OR nexus.user_has_tenant_access(nexus.current_user_id(), _tenant_id)
$fn$;

CREATE FUNCTION nexus.has_tenant_role_or_admin(_tenant_id uuid, _roles text[]) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT nexus.has_role(nexus.current_user_id(), 'admin')
        OR nexus.has_tenant_role(nexus.current_user_id(), _tenant_id, _roles)
$fn$;

-- Does the caller administer a tenant that the given user belongs to? (Member management reads those users.)
CREATE FUNCTION nexus.administers_member(_user_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT EXISTS (SELECT 1 FROM nexus.tenant_memberships mine
                   JOIN nexus.tenant_memberships theirs ON theirs.tenant_id = mine.tenant_id
                   JOIN nexus.users me ON me.id = mine.user_id
                   WHERE mine.user_id = nexus.current_user_id() AND mine.role = 'admin' AND NOT me.disabled
                     AND theirs.user_id = _user_id)
$fn$;

-- A tenant admin adds an existing account by address; they may not read the users table at large, so this
-- answers exactly one question for callers who administer some tenant (or global admins), and nothing else.
CREATE FUNCTION nexus.find_user_for_membership(_email text)
RETURNS TABLE (id uuid, email text, full_name text, username text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT u.id, u.email, u.full_name, u.username
    FROM nexus.users u
    WHERE lower(u.email) = lower(_email)
      AND (nexus.has_role(nexus.current_user_id(), 'admin')
           OR EXISTS (SELECT 1 FROM nexus.tenant_memberships m
                      WHERE m.user_id = nexus.current_user_id() AND m.role = 'admin'))
$fn$;

-- Privileged columns (global role, disabled, lockout) change only by a global admin, never on their own row;
-- the worker role may change them (bootstrap admin, lockout bookkeeping). RLS decides which rows; this decides
-- which columns, which a policy cannot.
CREATE FUNCTION nexus.users_guard_privileged() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF current_user = 'nexus_app' AND (
           NEW.global_role IS DISTINCT FROM OLD.global_role
        OR NEW.disabled IS DISTINCT FROM OLD.disabled
        OR NEW.failed_login_count IS DISTINCT FROM OLD.failed_login_count
        OR NEW.locked_until IS DISTINCT FROM OLD.locked_until) THEN
        IF NOT nexus.has_role(nexus.current_user_id(), 'admin') THEN
            RAISE EXCEPTION 'only a global admin may change role, disabled or lockout state'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.id = nexus.current_user_id()
           AND (NEW.global_role IS DISTINCT FROM OLD.global_role OR NEW.disabled IS DISTINCT FROM OLD.disabled) THEN
            RAISE EXCEPTION 'a user may not change their own role or disable themselves'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER users_guard_privileged BEFORE UPDATE ON nexus.users
    FOR EACH ROW EXECUTE FUNCTION nexus.users_guard_privileged();

-- There is always at least one enabled global admin once one exists: demoting, disabling or deleting the last
-- one fails. The advisory lock serialises concurrent changes so two admins cannot demote each other at once;
-- the count runs after the lock with a fresh snapshot (READ COMMITTED) and as owner (sees every row).
CREATE FUNCTION nexus.users_keep_an_admin() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF OLD.global_role = 'admin' AND NOT OLD.disabled
       AND (TG_OP = 'DELETE' OR NEW.global_role <> 'admin' OR NEW.disabled) THEN
        PERFORM pg_advisory_xact_lock(hashtext('nexus.users_keep_an_admin'));
        IF NOT EXISTS (SELECT 1 FROM nexus.users
                       WHERE global_role = 'admin' AND NOT disabled AND id <> OLD.id) THEN
            RAISE EXCEPTION 'the last active global admin cannot be demoted, disabled or deleted'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'users_last_admin';
        END IF;
    END IF;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER users_keep_an_admin AFTER UPDATE OR DELETE ON nexus.users
    FOR EACH ROW EXECUTE FUNCTION nexus.users_keep_an_admin();

GRANT EXECUTE ON FUNCTION
    nexus.current_user_id(), nexus.has_role(uuid, text), nexus.user_has_tenant_access(uuid, uuid),
    nexus.has_tenant_role(uuid, uuid, text[]), nexus.is_global_admin(), nexus.can_access_tenant(uuid),
    nexus.has_tenant_role_or_admin(uuid, text[]), nexus.administers_member(uuid),
    nexus.find_user_for_membership(text)
TO nexus_app, nexus_worker;

ALTER TABLE nexus.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE nexus.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE nexus.tenant_memberships ENABLE ROW LEVEL SECURITY;

-- users: own row, members of tenants the caller administers, or everything for a global admin.
CREATE POLICY users_app_select ON nexus.users FOR SELECT TO nexus_app
    USING (id = nexus.current_user_id() OR nexus.is_global_admin() OR nexus.administers_member(id));
CREATE POLICY users_app_insert ON nexus.users FOR INSERT TO nexus_app
    WITH CHECK (nexus.is_global_admin());
CREATE POLICY users_app_update ON nexus.users FOR UPDATE TO nexus_app
    USING (id = nexus.current_user_id() OR nexus.is_global_admin())
    WITH CHECK (id = nexus.current_user_id() OR nexus.is_global_admin());
CREATE POLICY users_app_delete ON nexus.users FOR DELETE TO nexus_app
    USING (nexus.is_global_admin() AND id <> nexus.current_user_id());
CREATE POLICY users_worker ON nexus.users FOR ALL TO nexus_worker USING (true) WITH CHECK (true);

-- Password hashes stay out of the web application's reach (an injected query cannot dump them): login and
-- password checks read them as the worker.
GRANT SELECT (id, email, full_name, username, company, global_role, disabled, failed_login_count, locked_until,
              created_at, updated_at) ON nexus.users TO nexus_app;
GRANT DELETE ON nexus.users TO nexus_app;
GRANT INSERT (id, email, password_hash, full_name, username, company, global_role, disabled) ON nexus.users TO nexus_app;
GRANT UPDATE (email, password_hash, full_name, username, company, global_role, disabled, failed_login_count, locked_until)
    ON nexus.users TO nexus_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON nexus.users TO nexus_worker;

-- tenants: members see theirs; only global admins create, change or delete.
CREATE POLICY tenants_app_select ON nexus.tenants FOR SELECT TO nexus_app
    USING (nexus.can_access_tenant(id));
CREATE POLICY tenants_app_insert ON nexus.tenants FOR INSERT TO nexus_app
    WITH CHECK (nexus.is_global_admin());
CREATE POLICY tenants_app_update ON nexus.tenants FOR UPDATE TO nexus_app
    USING (nexus.is_global_admin()) WITH CHECK (nexus.is_global_admin());
CREATE POLICY tenants_app_delete ON nexus.tenants FOR DELETE TO nexus_app
    USING (nexus.is_global_admin());
CREATE POLICY tenants_worker_select ON nexus.tenants FOR SELECT TO nexus_worker USING (true);

GRANT SELECT, DELETE ON nexus.tenants TO nexus_app;
GRANT INSERT (id, name, slug, description, is_active) ON nexus.tenants TO nexus_app;
GRANT UPDATE (name, slug, description, is_active) ON nexus.tenants TO nexus_app;
GRANT SELECT ON nexus.tenants TO nexus_worker;

-- memberships: a user sees their own; a tenant admin sees and manages their tenant's; a global admin all.
-- Viewers and managers do not see who else is in the tenant, and nobody changes a membership of a tenant
-- they do not administer (no self-promotion).
CREATE POLICY memberships_app_select ON nexus.tenant_memberships FOR SELECT TO nexus_app
    USING (user_id = nexus.current_user_id() OR nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY memberships_app_insert ON nexus.tenant_memberships FOR INSERT TO nexus_app
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY memberships_app_update ON nexus.tenant_memberships FOR UPDATE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']))
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY memberships_app_delete ON nexus.tenant_memberships FOR DELETE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY memberships_worker_select ON nexus.tenant_memberships FOR SELECT TO nexus_worker USING (true);

GRANT SELECT, DELETE ON nexus.tenant_memberships TO nexus_app;
GRANT INSERT (tenant_id, user_id, role) ON nexus.tenant_memberships TO nexus_app;
GRANT UPDATE (role) ON nexus.tenant_memberships TO nexus_app;
GRANT SELECT ON nexus.tenant_memberships TO nexus_worker;
