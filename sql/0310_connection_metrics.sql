-- Connection measurements of a server: a sample of its polls, every connectivity probe, power-action calls.
-- One row is one attempt. The tenant column is carried (kept equal to the server's by the composite key) so the
-- policies need no join; rows go with their server. Kept 30 days (a background job deletes older rows).
CREATE TABLE nexus.connection_metrics (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    server_id   uuid NOT NULL,
    tenant_id   uuid NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL CHECK (kind IN ('poll', 'probe', 'action')),
    success     boolean NOT NULL,
    latency_ms  double precision CHECK (latency_ms >= 0),
    endpoint    text NOT NULL CHECK (endpoint IN ('primary', 'secondary')),
    error       text CHECK (length(error) <= 1000),
    CONSTRAINT connection_metrics_server_fkey FOREIGN KEY (server_id, tenant_id)
        REFERENCES nexus.servers (id, tenant_id) ON DELETE CASCADE
);
CREATE INDEX connection_metrics_server_time_idx ON nexus.connection_metrics (server_id, at DESC);
-- The retention job deletes by time across all servers.
CREATE INDEX connection_metrics_time_idx ON nexus.connection_metrics (at);

ALTER TABLE nexus.connection_metrics ENABLE ROW LEVEL SECURITY;

-- Read like the servers themselves: members of the tenant and global admins. Only background work writes.
CREATE POLICY connection_metrics_app_select ON nexus.connection_metrics FOR SELECT TO nexus_app
    USING (nexus.can_access_tenant(tenant_id));
CREATE POLICY connection_metrics_worker ON nexus.connection_metrics FOR ALL TO nexus_worker USING (true) WITH CHECK (true);

REVOKE ALL ON nexus.connection_metrics FROM PUBLIC;
GRANT SELECT ON nexus.connection_metrics TO nexus_app;
GRANT SELECT, DELETE ON nexus.connection_metrics TO nexus_worker;
GRANT INSERT (server_id, tenant_id, at, kind, success, latency_ms, endpoint, error) ON nexus.connection_metrics TO nexus_worker;
