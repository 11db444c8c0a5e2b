using System.Security.Cryptography;
using Dapper;
using Nexus.Data.Access;

namespace Nexus.Data.Tenants;

public sealed record TenantLogo(Guid TenantId, string ContentType, byte[] Bytes, string Sha256, DateTime UpdatedAt);

/// <summary>
/// Tenant logos, stored in PostgreSQL so every silo serves the same bytes. PNG, JPEG or WebP up to 2 MiB
/// (CHECK constraints; the API checks the bytes' signature first). Members read; the tenant's admins write.
/// </summary>
public sealed class TenantLogoStore
{
    public const int MaxBytes = 2 * 1024 * 1024;

    public Task<TenantLogo?> GetAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.QuerySingleOrDefaultAsync<TenantLogo?>(
            """
            SELECT tenant_id AS TenantId, content_type AS ContentType, bytes AS Bytes, sha256 AS Sha256, updated_at AS UpdatedAt
            FROM nexus.tenant_logos WHERE tenant_id = @tenantId
            """,
            new { tenantId }, session.Transaction);
    }

    /// <summary>
    /// Replaces the logo and returns its SHA-256 (hex). A caller who may not change it gets
    /// <see cref="DataAccessDeniedException"/>.
    /// </summary>
    public async Task<string> PutAsync(DbSession session, Guid tenantId, string contentType, ReadOnlyMemory<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(session);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes.Span));
        await session.Connection.ExecuteAsync(
            """
            INSERT INTO nexus.tenant_logos (tenant_id, content_type, bytes, sha256) VALUES (@tenantId, @contentType, @data, @sha256)
            ON CONFLICT (tenant_id) DO UPDATE SET content_type = excluded.content_type, bytes = excluded.bytes, sha256 = excluded.sha256
            """,
            new { tenantId, contentType, data = bytes.ToArray(), sha256 }, session.Transaction);
        return sha256;
    }

    public async Task<bool> DeleteAsync(DbSession session, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await session.Connection.ExecuteAsync(
            "DELETE FROM nexus.tenant_logos WHERE tenant_id = @tenantId", new { tenantId }, session.Transaction) == 1;
    }
}
