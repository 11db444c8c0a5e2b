-- Rotating refresh tokens. Only the SHA-256 of a token is stored; a token is presented once and replaced.
-- Presenting a replaced token again means it was stolen: the application revokes the whole family.
CREATE TABLE nexus.refresh_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES nexus.users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    replaced_by uuid REFERENCES nexus.refresh_tokens (id) ON DELETE SET NULL,
    client_ip   inet,
    user_agent  text CHECK (length(user_agent) <= 1000),
    CHECK (expires_at > created_at)
);
CREATE INDEX refresh_tokens_user_idx ON nexus.refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_idx ON nexus.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_idx ON nexus.refresh_tokens (expires_at);

ALTER TABLE nexus.refresh_tokens ENABLE ROW LEVEL SECURITY;

-- The worker issues, rotates and prunes tokens (no user is known yet when a refresh arrives). A signed-in user
-- may list and revoke their own sessions.
CREATE POLICY refresh_tokens_worker ON nexus.refresh_tokens FOR ALL TO nexus_worker USING (true) WITH CHECK (true);
CREATE POLICY refresh_tokens_app_select ON nexus.refresh_tokens FOR SELECT TO nexus_app
    USING (user_id = nexus.current_user_id());
CREATE POLICY refresh_tokens_app_update ON nexus.refresh_tokens FOR UPDATE TO nexus_app
    USING (user_id = nexus.current_user_id()) WITH CHECK (user_id = nexus.current_user_id());

GRANT SELECT, INSERT, UPDATE, DELETE ON nexus.refresh_tokens TO nexus_worker;
GRANT SELECT ON nexus.refresh_tokens TO nexus_app;
GRANT UPDATE (revoked_at) ON nexus.refresh_tokens TO nexus_app;
