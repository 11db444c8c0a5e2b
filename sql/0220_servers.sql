-- Proxmox VE endpoints of a tenant. Deleting a tenant deletes its servers (and with them their VM grants);
-- a server never outlives its tenant. Later scripts add health and polling columns.
CREATE TABLE nexus.servers (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id              uuid NOT NULL REFERENCES nexus.tenants (id) ON DELETE CASCADE,
    name                   text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    host                   text NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
    port                   integer NOT NULL DEFAULT 8006 CHECK (port BETWEEN 1 AND 65535),
    -- The second path to the same cluster (the prototype's "Tailscale" endpoint).
    secondary_host         text CHECK (length(secondary_host) BETWEEN 1 AND 253),
    secondary_port         integer CHECK (secondary_port BETWEEN 1 AND 65535),
    -- The API token, encrypted by the application (authenticated encryption); key_id names the key for rotation.
    token_ciphertext       bytea NOT NULL,
    token_key_id           text NOT NULL,
    tls_pinned_fingerprints text[] NOT NULL DEFAULT '{}',
    tls_ca_pem             text,
    is_active              boolean NOT NULL DEFAULT true,
    poll_interval_seconds  integer CHECK (poll_interval_seconds BETWEEN 5 AND 300),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    created_by             uuid DEFAULT nexus.current_user_id() REFERENCES nexus.users (id) ON DELETE SET NULL,
    CONSTRAINT servers_secondary_pair CHECK ((secondary_host IS NULL) = (secondary_port IS NULL)),
    CONSTRAINT servers_tenant_host_port_key UNIQUE (tenant_id, host, port),
    -- Target of the composite foreign keys that keep a child row's tenant equal to its server's tenant.
    CONSTRAINT servers_id_tenant_key UNIQUE (id, tenant_id)
);
CREATE TRIGGER servers_touch BEFORE UPDATE ON nexus.servers FOR EACH ROW EXECUTE FUNCTION nexus.touch_updated_at();

ALTER TABLE nexus.servers ENABLE ROW LEVEL SECURITY;

-- Any member sees the tenant's servers; admins and managers add and change them; only admins delete.
-- A row cannot be moved to another tenant the caller does not manage (WITH CHECK on the new row).
CREATE POLICY servers_app_select ON nexus.servers FOR SELECT TO nexus_app
    USING (nexus.can_access_tenant(tenant_id));
CREATE POLICY servers_app_insert ON nexus.servers FOR INSERT TO nexus_app
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin', 'manager']));
CREATE POLICY servers_app_update ON nexus.servers FOR UPDATE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin', 'manager']))
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin', 'manager']));
CREATE POLICY servers_app_delete ON nexus.servers FOR DELETE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY servers_worker ON nexus.servers FOR ALL TO nexus_worker USING (true) WITH CHECK (true);

GRANT SELECT, DELETE ON nexus.servers TO nexus_app;
GRANT INSERT (id, tenant_id, name, host, port, secondary_host, secondary_port, token_ciphertext, token_key_id,
              tls_pinned_fingerprints, tls_ca_pem, is_active, poll_interval_seconds) ON nexus.servers TO nexus_app;
GRANT UPDATE (name, host, port, secondary_host, secondary_port, token_ciphertext, token_key_id,
              tls_pinned_fingerprints, tls_ca_pem, is_active, poll_interval_seconds) ON nexus.servers TO nexus_app;
GRANT SELECT, UPDATE ON nexus.servers TO nexus_worker;

-- Per-user grants on single VMs: server + guest type + vmid, with a permission set. The tenant column is
-- carried (and kept equal to the server's by the composite key) so policies need no join.
CREATE TABLE nexus.vm_grants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES nexus.users (id) ON DELETE CASCADE,
    tenant_id   uuid NOT NULL,
    server_id   uuid NOT NULL,
    guest_type  text NOT NULL CHECK (guest_type IN ('qemu', 'lxc')),
    vmid        integer NOT NULL CHECK (vmid BETWEEN 100 AND 999999999),
    permissions text[] NOT NULL CHECK (
        cardinality(permissions) > 0
        AND permissions <@ ARRAY['view', 'console', 'start', 'stop', 'restart']::text[]),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid DEFAULT nexus.current_user_id() REFERENCES nexus.users (id) ON DELETE SET NULL,
    CONSTRAINT vm_grants_server_fkey FOREIGN KEY (server_id, tenant_id)
        REFERENCES nexus.servers (id, tenant_id) ON DELETE CASCADE,
    CONSTRAINT vm_grants_user_vm_key UNIQUE (user_id, server_id, guest_type, vmid)
);
CREATE INDEX vm_grants_server_idx ON nexus.vm_grants (server_id, guest_type, vmid);
CREATE INDEX vm_grants_tenant_idx ON nexus.vm_grants (tenant_id);

ALTER TABLE nexus.vm_grants ENABLE ROW LEVEL SECURITY;

-- A user sees their own grants; the tenant's admins (and global admins) see and manage the tenant's.
CREATE POLICY vm_grants_app_select ON nexus.vm_grants FOR SELECT TO nexus_app
    USING (user_id = nexus.current_user_id() OR nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY vm_grants_app_insert ON nexus.vm_grants FOR INSERT TO nexus_app
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY vm_grants_app_update ON nexus.vm_grants FOR UPDATE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']))
    WITH CHECK (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY vm_grants_app_delete ON nexus.vm_grants FOR DELETE TO nexus_app
    USING (nexus.has_tenant_role_or_admin(tenant_id, ARRAY['admin']));
CREATE POLICY vm_grants_worker_select ON nexus.vm_grants FOR SELECT TO nexus_worker USING (true);

GRANT SELECT, DELETE ON nexus.vm_grants TO nexus_app;
GRANT INSERT (id, user_id, tenant_id, server_id, guest_type, vmid, permissions) ON nexus.vm_grants TO nexus_app;
GRANT UPDATE (permissions) ON nexus.vm_grants TO nexus_app;
GRANT SELECT ON nexus.vm_grants TO nexus_worker;
