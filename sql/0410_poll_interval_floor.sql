-- The shortest poll interval is the operator's choice (Nexus:Inventory:MinimumPollIntervalSeconds, 5 s by default,
-- checked by the API); the database keeps only the absolute bounds, so lowering the option needs no migration.
ALTER TABLE nexus.servers
    DROP CONSTRAINT servers_poll_interval_seconds_check,
    ADD CONSTRAINT servers_poll_interval_seconds_check CHECK (poll_interval_seconds BETWEEN 1 AND 300);

ALTER TABLE nexus.tenant_settings
    DROP CONSTRAINT tenant_settings_poll_interval_seconds_check,
    ADD CONSTRAINT tenant_settings_poll_interval_seconds_check CHECK (poll_interval_seconds BETWEEN 1 AND 300);
