-- Orleans ADO.NET contract, part 1: the query catalogue.
--
-- The Orleans ADO.NET providers (clustering, persistence, reminders; 10.4.2) read every SQL statement they
-- run from this table, once, when they start. They bind parameters by name (@DeploymentId, @GrainIdHash, ...)
-- and read result columns by name, case-insensitively, so those names are the contract; the SQL behind them
-- is ours. Orleans has no schema option: these objects live in the connection's default schema (public).
--
-- Every script in this series is safe to run twice (IF NOT EXISTS, CREATE OR REPLACE, upserts), although
-- the migrations journal runs each only once.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
