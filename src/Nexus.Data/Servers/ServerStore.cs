using Dapper;
using Nexus.Data.Access;
using Nexus.Data.Secrets;

namespace Nexus.Data.Servers;

/// <summary>
/// Registered Proxmox servers. Under the application role, row-level security shows a tenant's servers to its
/// members, lets admins and managers add and change them and only admins delete them; the worker role (polling,
/// configuration loading, key rotation) sees every server. A duplicate (tenant, host, port) raises
/// <see cref="DuplicateException"/> with constraint <see cref="DuplicateConstraint"/>.
/// </summary>
public sealed class ServerStore
{
    public const string DuplicateConstraint = "servers_tenant_host_port_key";

    private const string Columns = """
        id AS Id, tenant_id AS TenantId, name AS Name, host AS Host, port AS Port, secondary_host AS SecondaryHost,
        secondary_port AS SecondaryPort, token_id AS TokenId, tls_trust AS TlsTrust,
        tls_pinned_fingerprints AS TlsPinnedFingerprints, tls_ca_pem AS TlsCaPem, is_active AS IsActive,
        poll_interval_seconds AS PollIntervalSeconds, connection_timeout_ms AS ConnectionTimeoutMs,
        created_at AS CreatedAt, updated_at AS UpdatedAt, created_by AS CreatedBy
        """;

    public async Task<IReadOnlyList<ServerRecord>> ListForTenantAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<ServerRow>(
            $"SELECT {Columns} FROM nexus.servers WHERE tenant_id = @tenantId ORDER BY lower(name), id",
            new { tenantId }, session.Transaction);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<ServerRecord?> FindAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        var row = await session.Connection.QuerySingleOrDefaultAsync<ServerRow>(
            $"SELECT {Columns} FROM nexus.servers WHERE id = @id", new { id }, session.Transaction);
        return row?.ToRecord();
    }

    /// <summary>The server with its sealed credential; <paramref name="forUpdate"/> locks the row until the session ends.</summary>
    public async Task<ServerWithCredential?> FindWithCredentialAsync(DbSession session, Guid id, bool forUpdate = false)
    {
        ArgumentNullException.ThrowIfNull(session);
        var row = await session.Connection.QuerySingleOrDefaultAsync<ServerRow>(
            $"SELECT {Columns}, token_ciphertext AS TokenCiphertext, token_key_id AS TokenKeyId FROM nexus.servers WHERE id = @id{(forUpdate ? " FOR UPDATE" : "")}",
            new { id }, session.Transaction);
        return row is null ? null : new ServerWithCredential(row.ToRecord(), new ProtectedSecret(row.TokenCiphertext, row.TokenKeyId));
    }

    public async Task<bool> ExistsAsync(DbSession session, Guid tenantId, string host, int port, Guid? except = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM nexus.servers WHERE tenant_id = @tenantId AND host = @host AND port = @port AND id IS DISTINCT FROM @except)",
            new { tenantId, host, port, except }, session.Transaction);
    }

    /// <summary>
    /// Counts the tenant's servers after taking a transaction-scoped lock on the tenant's quota, so two sessions
    /// adding servers at once cannot both see the last free slot.
    /// </summary>
    public async Task<int> CountForQuotaAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        await session.Connection.ExecuteAsync(
            "SELECT pg_advisory_xact_lock(hashtextextended('nexus.servers.quota:' || @tenantId::text, 0))",
            new { tenantId }, session.Transaction);
        return await session.Connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM nexus.servers WHERE tenant_id = @tenantId", new { tenantId }, session.Transaction);
    }

    /// <summary>
    /// Inserts with a caller-chosen id: the credential is sealed to the id before the row exists.
    /// </summary>
    public async Task<ServerRecord> InsertAsync(DbSession session, Guid id, Guid tenantId, ServerDraft draft, ProtectedSecret credential)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(credential);
        await session.Connection.ExecuteAsync(
            """
            INSERT INTO nexus.servers (id, tenant_id, name, host, port, secondary_host, secondary_port, token_ciphertext,
                token_key_id, token_id, tls_trust, tls_pinned_fingerprints, tls_ca_pem, is_active, poll_interval_seconds,
                connection_timeout_ms)
            VALUES (@id, @tenantId, @Name, @Host, @Port, @SecondaryHost, @SecondaryPort, @ciphertext, @keyId, @TokenId,
                @trust, @pins, @CaPem, @IsActive, @PollIntervalSeconds, @ConnectionTimeoutMs)
            """,
            Parameters(draft, id, tenantId, credential), session.Transaction);
        return await FindAsync(session, id) ?? throw new InvalidOperationException("The server is not visible to its writer.");
    }

    /// <summary>Replaces every editable value; the credential only when <paramref name="credential"/> is given.</summary>
    public async Task<ServerRecord?> UpdateAsync(DbSession session, Guid id, ServerDraft draft, ProtectedSecret? credential)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(draft);
        var changed = await session.Connection.ExecuteAsync(
            $"""
            UPDATE nexus.servers SET name = @Name, host = @Host, port = @Port, secondary_host = @SecondaryHost,
                secondary_port = @SecondaryPort, token_id = @TokenId, tls_trust = @trust, tls_pinned_fingerprints = @pins,
                tls_ca_pem = @CaPem, is_active = @IsActive, poll_interval_seconds = @PollIntervalSeconds,
                connection_timeout_ms = @ConnectionTimeoutMs
                {(credential is null ? "" : ", token_ciphertext = @ciphertext, token_key_id = @keyId")}
            WHERE id = @id
            """,
            Parameters(draft, id, null, credential), session.Transaction);
        return changed == 1 ? await FindAsync(session, id) : null;
    }

    public async Task<bool> DeleteAsync(DbSession session, Guid id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "DELETE FROM nexus.servers WHERE id = @id", new { id }, session.Transaction) == 1;
    }

    /// <summary>Ids of the active servers of active tenants (worker role).</summary>
    public async Task<IReadOnlyList<Guid>> ListActiveIdsAsync(DbSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var ids = await session.Connection.QueryAsync<Guid>(
            """
            SELECT s.id FROM nexus.servers s JOIN nexus.tenants t ON t.id = s.tenant_id
            WHERE s.is_active AND t.is_active ORDER BY s.id
            """,
            transaction: session.Transaction);
        return ids.ToList();
    }

    /// <summary>Every server id with the id of the key its credential is sealed with (worker role, for rotation).</summary>
    public async Task<IReadOnlyList<(Guid Id, string KeyId)>> ListCredentialKeysAsync(DbSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.Connection.QueryAsync<(Guid, string)>(
            "SELECT id, token_key_id FROM nexus.servers ORDER BY id", transaction: session.Transaction);
        return rows.ToList();
    }

    /// <summary>Replaces only the sealed credential (key rotation); the row keeps every other value.</summary>
    public async Task<bool> ReplaceCredentialAsync(DbSession session, Guid id, ProtectedSecret credential)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(credential);
        return await session.Connection.ExecuteAsync(
            "UPDATE nexus.servers SET token_ciphertext = @ciphertext, token_key_id = @keyId WHERE id = @id",
            new { id, ciphertext = credential.Ciphertext, keyId = credential.KeyId }, session.Transaction) == 1;
    }

    private static DynamicParameters Parameters(ServerDraft draft, Guid id, Guid? tenantId, ProtectedSecret? credential)
    {
        // Explicit parameters: a template object would also offer the pin list and the enum to Dapper.
        var parameters = new DynamicParameters();
        parameters.Add("Name", draft.Name);
        parameters.Add("Host", draft.Host);
        parameters.Add("Port", draft.Port);
        parameters.Add("SecondaryHost", draft.SecondaryHost);
        parameters.Add("SecondaryPort", draft.SecondaryPort);
        parameters.Add("TokenId", draft.TokenId);
        parameters.Add("CaPem", draft.CaPem);
        parameters.Add("IsActive", draft.IsActive);
        parameters.Add("PollIntervalSeconds", draft.PollIntervalSeconds);
        parameters.Add("ConnectionTimeoutMs", draft.ConnectionTimeoutMs);
        parameters.Add("id", id);
        if (tenantId is { } tenant)
        {
            parameters.Add("tenantId", tenant);
        }
        parameters.Add("trust", ToDb(draft.TrustMode));
        parameters.Add("pins", draft.PinnedFingerprints.ToArray());
        if (credential is not null)
        {
            parameters.Add("ciphertext", credential.Ciphertext);
            parameters.Add("keyId", credential.KeyId);
        }
        return parameters;
    }

    private static string ToDb(ServerTrustMode mode) => mode switch
    {
        ServerTrustMode.Pinned => "pinned",
        ServerTrustMode.ClusterCa => "ca",
        ServerTrustMode.SystemStore => "system",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    private static ServerTrustMode FromDb(string value) => value switch
    {
        "pinned" => ServerTrustMode.Pinned,
        "ca" => ServerTrustMode.ClusterCa,
        _ => ServerTrustMode.SystemStore,
    };

    private sealed class ServerRow
    {
        public Guid Id { get; init; }
        public Guid TenantId { get; init; }
        public string Name { get; init; } = "";
        public string Host { get; init; } = "";
        public int Port { get; init; }
        public string? SecondaryHost { get; init; }
        public int? SecondaryPort { get; init; }
        public string? TokenId { get; init; }
        public string TlsTrust { get; init; } = "system";
        public string[] TlsPinnedFingerprints { get; init; } = [];
        public string? TlsCaPem { get; init; }
        public bool IsActive { get; init; }
        public int? PollIntervalSeconds { get; init; }
        public int? ConnectionTimeoutMs { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
        public Guid? CreatedBy { get; init; }
        public byte[] TokenCiphertext { get; init; } = [];
        public string TokenKeyId { get; init; } = "";

        public ServerRecord ToRecord() => new(
            Id, TenantId, Name, Host, Port, SecondaryHost, SecondaryPort, TokenId, FromDb(TlsTrust), TlsPinnedFingerprints,
            TlsCaPem, IsActive, PollIntervalSeconds, ConnectionTimeoutMs, CreatedAt, UpdatedAt, CreatedBy);
    }
}
