-- Orleans ADO.NET contract, part 3: grain state (Microsoft.Orleans.Persistence.AdoNet 10.4.2).
--
-- A grain's state row is found by (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString);
-- the two hashes only narrow the index lookup. Version is the ETag: NULL from the provider means "I have never
-- seen a row", a number means "I read this version". A write or clear that does not match what the caller
-- saw returns NULL (or no row), which the provider turns into InconsistentStateException.
-- Note: GrainTypeString holds the *state name*, not the grain class (see docs: unique state names per grain).

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL DEFAULT now(),
    Version                integer      NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_orleansstorage ON OrleansStorage (GrainIdHash, GrainTypeHash);

-- Returns the new version, or NULL when the caller's view is stale. First writes (no version) take a
-- transaction-scoped advisory lock on the grain's hashes, so two activations of one grain racing to create
-- its row (split brain, double activation) cannot both insert: the loser sees the winner's row and fails.
-- The two-key advisory lock space is separate from the single bigint key the migrations runner uses.
CREATE OR REPLACE FUNCTION nexus_orleans_storage_write(
    p_grain_id_hash     integer,
    p_grain_id_n0       bigint,
    p_grain_id_n1       bigint,
    p_grain_type_hash   integer,
    p_grain_type        varchar,
    p_grain_id_ext      varchar,
    p_service_id        varchar,
    p_expected_version  integer,
    p_payload           bytea)
RETURNS integer
LANGUAGE plpgsql
AS $body$
DECLARE
    written integer;
BEGIN
    IF p_expected_version IS NOT NULL THEN
        UPDATE OrleansStorage
           SET PayloadBinary = p_payload,
               ModifiedOn = now(),
               Version = Version + 1
         WHERE GrainIdHash = p_grain_id_hash
           AND GrainTypeHash = p_grain_type_hash
           AND GrainIdN0 = p_grain_id_n0
           AND GrainIdN1 = p_grain_id_n1
           AND GrainTypeString = p_grain_type
           AND GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_ext
           AND ServiceId = p_service_id
           AND Version = p_expected_version
        RETURNING Version INTO written;
        RETURN written;
    END IF;

    PERFORM pg_advisory_xact_lock(p_grain_id_hash, p_grain_type_hash);

    IF EXISTS (
        SELECT 1
          FROM OrleansStorage
         WHERE GrainIdHash = p_grain_id_hash
           AND GrainTypeHash = p_grain_type_hash
           AND GrainIdN0 = p_grain_id_n0
           AND GrainIdN1 = p_grain_id_n1
           AND GrainTypeString = p_grain_type
           AND GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_ext
           AND ServiceId = p_service_id) THEN
        RETURN NULL;
    END IF;

    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
         ServiceId, PayloadBinary, ModifiedOn, Version)
    VALUES
        (p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type, p_grain_id_ext,
         p_service_id, p_payload, now(), 1);
    RETURN 1;
END
$body$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', $sql$
    SELECT PayloadBinary, Version
      FROM OrleansStorage
     WHERE GrainIdHash = @GrainIdHash
       AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0
       AND GrainIdN1 = @GrainIdN1
       AND GrainTypeString = @GrainTypeString
       AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
       AND ServiceId = @ServiceId;
$sql$),

('WriteToStorageKey', $sql$
    SELECT nexus_orleans_storage_write(
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS NewGrainStateVersion;
$sql$),

('ClearStorageKey', $sql$
    -- Keeps the row (and its version history) with an empty payload.
    UPDATE OrleansStorage
       SET PayloadBinary = NULL,
           ModifiedOn = now(),
           Version = Version + 1
     WHERE GrainIdHash = @GrainIdHash
       AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0
       AND GrainIdN1 = @GrainIdN1
       AND GrainTypeString = @GrainTypeString
       AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
       AND ServiceId = @ServiceId
       AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
$sql$),

('DeleteStorageKey', $sql$
    -- Used when DeleteStateOnClear is set. The provider wants a value that differs from the ETag it held.
    DELETE FROM OrleansStorage
     WHERE GrainIdHash = @GrainIdHash
       AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0
       AND GrainIdN1 = @GrainIdN1
       AND GrainTypeString = @GrainTypeString
       AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
       AND ServiceId = @ServiceId
       AND Version = @GrainStateVersion
    RETURNING Version + 1 AS NewGrainStateVersion;
$sql$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
