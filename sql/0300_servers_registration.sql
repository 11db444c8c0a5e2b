-- Registration fields of a server beyond 0220: the token's public id (shown instead of the token), an explicit
-- TLS trust choice, and a per-server connection timeout override (NULL: the tenant's default).
-- 'system' is the column default only so rows written before this script stay valid; the API always makes
-- the choice explicit. Each mode carries exactly the data it needs and no other.
ALTER TABLE nexus.servers
    ADD COLUMN token_id text CHECK (length(token_id) BETWEEN 3 AND 300),
    ADD COLUMN tls_trust text NOT NULL DEFAULT 'system' CHECK (tls_trust IN ('pinned', 'ca', 'system')),
    ADD COLUMN connection_timeout_ms integer CHECK (connection_timeout_ms BETWEEN 5000 AND 120000),
    ADD CONSTRAINT servers_trust_consistent CHECK (
        (tls_trust = 'pinned') = (cardinality(tls_pinned_fingerprints) > 0)
        AND (tls_trust = 'ca') = (tls_ca_pem IS NOT NULL));

GRANT INSERT (token_id, tls_trust, connection_timeout_ms) ON nexus.servers TO nexus_app;
GRANT UPDATE (token_id, tls_trust, connection_timeout_ms) ON nexus.servers TO nexus_app;
