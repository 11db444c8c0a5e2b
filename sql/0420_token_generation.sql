-- Access tokens carry the account's token generation; a token of an older generation is refused at its next
-- request. Changing the password, disabling the account and "sign out everywhere" raise it, so an access token
-- someone else holds stops working then instead of when it expires (up to 15 minutes later).
ALTER TABLE nexus.users ADD COLUMN token_generation integer NOT NULL DEFAULT 0 CHECK (token_generation >= 0);

-- The web application reads it (to check tokens); only the worker raises it, together with revoking refresh tokens.
GRANT SELECT (token_generation) ON nexus.users TO nexus_app;
