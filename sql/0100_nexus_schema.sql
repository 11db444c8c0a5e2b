-- Nexus' own tables live in the nexus schema, apart from Orleans' contract tables in public.
-- Later scripts (identity, servers, audit, ...) add to it.
CREATE SCHEMA IF NOT EXISTS nexus;
