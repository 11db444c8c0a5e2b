-- The two roles Nexus' own code connects as. The migration owner keeps ownership of every object and is used
-- only for migrations and start-up; requests never run as it.
--   nexus_app    - the web application. NOBYPASSRLS: every row it touches passes row-level security, scoped
--                  per transaction to the authenticated caller (set_config('nexus.user_id', ..., true)).
--   nexus_worker - background work with no user behind it (login before a user is known, token rotation,
--                  bootstrap admin, polling). It reaches rows through policies written for it, not BYPASSRLS,
--                  so it also works where the owner may not grant BYPASSRLS (managed PostgreSQL).
-- Both are created NOLOGIN; start-up gives them LOGIN and a password (or the operator does, for an external
-- database). Roles are cluster-wide: several databases on one server share them, hence the guards.
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['nexus_app', 'nexus_worker'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                -- Another database on this server migrated at the same moment and created it first.
                NULL;
            END;
        END IF;
    END LOOP;
END
$roles$;

-- A role that was created by hand (external database) must still not bypass row-level security.
DO $check$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles
               WHERE rolname IN ('nexus_app', 'nexus_worker') AND (rolbypassrls OR rolsuper)) THEN
        RAISE EXCEPTION 'roles nexus_app and nexus_worker must be NOSUPERUSER NOBYPASSRLS';
    END IF;
END
$check$;

GRANT USAGE ON SCHEMA nexus TO nexus_app, nexus_worker;

-- Functions are executable by PUBLIC by default; ours are granted explicitly, one by one.
ALTER DEFAULT PRIVILEGES IN SCHEMA nexus REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Keeps updated_at current on every table that has one.
CREATE FUNCTION nexus.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$fn$;
