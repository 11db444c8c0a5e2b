-- Console sessions: exactly one row per session, inserted when it is opened and completed when it closes (the
-- update only touches a row that has not ended, so a repeated close changes nothing). Deleting a tenant deletes
-- its sessions' records; a deleted user or server leaves the record with a NULL reference (the history stays).
CREATE TABLE nexus.console_sessions (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES nexus.tenants (id) ON DELETE CASCADE,
    user_id          uuid REFERENCES nexus.users (id) ON DELETE SET NULL,
    server_id        uuid REFERENCES nexus.servers (id) ON DELETE SET NULL,
    guest_type       text NOT NULL CHECK (guest_type IN ('qemu', 'lxc')),
    vmid             integer NOT NULL CHECK (vmid >= 100),
    node             text NOT NULL CHECK (length(node) BETWEEN 1 AND 100),
    view_only        boolean NOT NULL DEFAULT false,
    opened_at        timestamptz NOT NULL DEFAULT now(),
    -- When both RFB handshakes were done and bytes began to flow; NULL for a session that never got that far.
    started_at       timestamptz,
    ended_at         timestamptz,
    bytes_to_guest   bigint NOT NULL DEFAULT 0 CHECK (bytes_to_guest >= 0),
    bytes_from_guest bigint NOT NULL DEFAULT 0 CHECK (bytes_from_guest >= 0),
    close_code       integer CHECK (close_code BETWEEN 1000 AND 4999),
    close_reason     text CHECK (length(close_reason) <= 200),
    client_ip        inet,
    -- The silo whose Kestrel accepted the browser's socket and pumped it (Orleans SiloAddress, parsable form).
    pump_silo        text CHECK (length(pump_silo) <= 200),
    CONSTRAINT console_sessions_end_after_open CHECK (ended_at IS NULL OR ended_at >= opened_at),
    CONSTRAINT console_sessions_closed_has_code CHECK ((ended_at IS NULL) = (close_code IS NULL))
);
-- The sessions API lists a tenant's active sessions; history is read by tenant and time.
CREATE INDEX console_sessions_active_idx ON nexus.console_sessions (tenant_id) WHERE ended_at IS NULL;
CREATE INDEX console_sessions_tenant_time_idx ON nexus.console_sessions (tenant_id, opened_at DESC);
CREATE INDEX console_sessions_user_idx ON nexus.console_sessions (user_id);

ALTER TABLE nexus.console_sessions ENABLE ROW LEVEL SECURITY;

-- Tenant admins and global admins read every session of the tenant; anyone reads their own. Only the session
-- grains (background work, worker role) write.
CREATE POLICY console_sessions_app_select ON nexus.console_sessions FOR SELECT TO nexus_app
    USING (user_id = nexus.current_user_id() OR nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY console_sessions_worker ON nexus.console_sessions FOR ALL TO nexus_worker USING (true) WITH CHECK (true);

REVOKE ALL ON nexus.console_sessions FROM PUBLIC;
GRANT SELECT ON nexus.console_sessions TO nexus_app;
GRANT SELECT, INSERT ON nexus.console_sessions TO nexus_worker;
GRANT UPDATE (started_at, ended_at, bytes_to_guest, bytes_from_guest, close_code, close_reason, pump_silo)
    ON nexus.console_sessions TO nexus_worker;
