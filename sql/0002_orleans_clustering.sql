-- Orleans ADO.NET contract, part 2: cluster membership (Microsoft.Orleans.Clustering.AdoNet 10.4.2).
--
-- The table version row is the optimistic-concurrency token of the whole membership table: every insert or
-- update of a silo row must name the version it read (@Version) and bumps it atomically with the row change,
-- or changes nothing at all (IMembershipTable.InsertRow / UpdateRow). Heartbeats (UpdateIAmAlivetimeKey)
-- touch neither the version nor any other column.
-- Silo status numbers are Orleans' SiloStatus: 3 = Active, 6 = Dead.

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Adds a silo row and bumps the table version as one unit. Returns 1 when both happened, 0 when the caller's
-- version is stale or the silo row already exists; in the second case the inner block's implicit savepoint
-- undoes the version bump, so a failed insert leaves the table exactly as it was.
CREATE OR REPLACE FUNCTION nexus_orleans_membership_insert(
    p_deployment_id  varchar,
    p_address        varchar,
    p_port           integer,
    p_generation     integer,
    p_silo_name      varchar,
    p_host_name      varchar,
    p_status         integer,
    p_proxy_port     integer,
    p_start_time     timestamptz,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS integer
LANGUAGE plpgsql
AS $body$
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable
           SET Version = Version + 1,
               Timestamp = now()
         WHERE DeploymentId = p_deployment_id
           AND Version = p_version;
        IF NOT FOUND THEN
            RETURN 0;
        END IF;

        INSERT INTO OrleansMembershipTable
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
        VALUES
            (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
             p_start_time, p_i_am_alive);
        RETURN 1;
    EXCEPTION
        WHEN unique_violation THEN
            RETURN 0;
    END;
END
$body$;

-- Replaces the mutable part of a silo row (status, suspicions, heartbeat) and bumps the table version as one
-- unit. Returns 1 on success, 0 when the version is stale or the silo row is missing (bump undone).
CREATE OR REPLACE FUNCTION nexus_orleans_membership_update(
    p_deployment_id  varchar,
    p_address        varchar,
    p_port           integer,
    p_generation     integer,
    p_status         integer,
    p_suspect_times  varchar,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS integer
LANGUAGE plpgsql
AS $body$
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable
           SET Version = Version + 1,
               Timestamp = now()
         WHERE DeploymentId = p_deployment_id
           AND Version = p_version;
        IF NOT FOUND THEN
            RETURN 0;
        END IF;

        UPDATE OrleansMembershipTable
           SET Status = p_status,
               SuspectTimes = p_suspect_times,
               IAmAliveTime = p_i_am_alive
         WHERE DeploymentId = p_deployment_id
           AND Address = p_address
           AND Port = p_port
           AND Generation = p_generation;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'membership row missing' USING ERRCODE = 'no_data_found';
        END IF;
        RETURN 1;
    EXCEPTION
        WHEN no_data_found THEN
            RETURN 0;
    END;
END
$body$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $sql$
    -- 1 when this call created the version row of the cluster, 0 when it already existed.
    WITH created AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId)
        VALUES (@DeploymentId)
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer FROM created;
$sql$),

('InsertMembershipKey', $sql$
    SELECT nexus_orleans_membership_insert(
        @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
        @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);
$sql$),

('UpdateMembershipKey', $sql$
    SELECT nexus_orleans_membership_update(
        @DeploymentId, @Address, @Port, @Generation,
        @Status, @SuspectTimes, @IAmAliveTime, @Version);
$sql$),

('UpdateIAmAlivetimeKey', $sql$
    UPDATE OrleansMembershipTable
       SET IAmAliveTime = @IAmAliveTime
     WHERE DeploymentId = @DeploymentId
       AND Address = @Address
       AND Port = @Port
       AND Generation = @Generation;
$sql$),

('MembershipReadRowKey', $sql$
    -- The version row comes back even when the silo has no row yet (StartTime is then NULL).
    SELECT v.DeploymentId,
           m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime,
           v.Version
      FROM OrleansMembershipVersionTable v
      LEFT JOIN OrleansMembershipTable m
             ON m.DeploymentId = v.DeploymentId
            AND m.Address = @Address
            AND m.Port = @Port
            AND m.Generation = @Generation
     WHERE v.DeploymentId = @DeploymentId;
$sql$),

('MembershipReadAllKey', $sql$
    SELECT v.DeploymentId,
           m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime,
           v.Version
      FROM OrleansMembershipVersionTable v
      LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
     WHERE v.DeploymentId = @DeploymentId;
$sql$),

('DeleteMembershipTableEntriesKey', $sql$
    DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$sql$),

('GatewaysQueryKey', $sql$
    SELECT Address, ProxyPort, Generation
      FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId
       AND Status = @Status
       AND ProxyPort > 0;
$sql$),

('CleanupDefunctSiloEntriesKey', $sql$
    -- Legacy bulk cleanup, used only when CleanupDefunctSiloEntryKey is absent: dead silos silent since the cutoff.
    DELETE FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId
       AND IAmAliveTime < @IAmAliveTime
       AND Status = 6;
$sql$),

('CleanupDefunctSiloEntryKey', $sql$
    -- 10.4.2 per-row cleanup: the provider picked this dead row from a read and passes back what it saw; the row
    -- goes only if it is still exactly that (no heartbeat, suspicion or status change since).
    DELETE FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId
       AND Address = @Address
       AND Port = @Port
       AND Generation = @Generation
       AND Status = 6
       AND StartTime = @StartTime
       AND IAmAliveTime = @IAmAliveTime
       AND SuspectTimes IS NOT DISTINCT FROM @SuspectTimes;
$sql$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
