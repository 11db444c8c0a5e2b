using Nexus.Data.Access;
using Nexus.Data.Secrets;
using Nexus.Data.Servers;

namespace Nexus.Host.Servers;

/// <summary>What a rotation did: re-sealed, already on the active key, and the servers that could not be opened.</summary>
internal sealed record RotationReport(int Rotated, int AlreadyCurrent, IReadOnlyList<(Guid ServerId, string Error)> Failed);

/// <summary>
/// Re-seals every server's credential with the active key, one transaction per server (background role) with the
/// row locked, so a concurrent edit either happens before (and is re-sealed) or after (and is sealed with the
/// active key already). Output names servers and key ids only, never a token.
/// </summary>
internal sealed class CredentialRotation(INexusDatabase database, ServerStore servers, CredentialProtector protector)
{
    public async Task<RotationReport> RunAsync(CancellationToken ct)
    {
        var all = await database.AsSystemAsync(session => servers.ListCredentialKeysAsync(session), ct);
        int rotated = 0, current = 0;
        var failed = new List<(Guid, string)>();
        foreach (var (id, keyId) in all)
        {
            if (keyId == protector.ActiveKeyId)
            {
                current++;
                continue;
            }
            try
            {
                var done = await database.AsSystemAsync(async session =>
                {
                    var stored = await servers.FindWithCredentialAsync(session, id, forUpdate: true);
                    if (stored is null || protector.IsCurrent(stored.Credential))
                    {
                        return false;
                    }
                    var token = protector.Unprotect(stored.Credential, id);
                    return await servers.ReplaceCredentialAsync(session, id, protector.Protect(token, id));
                }, ct);
                if (done)
                {
                    rotated++;
                }
                else
                {
                    current++;
                }
            }
            catch (CredentialUnavailableException ex)
            {
                failed.Add((id, ex.Message));
            }
        }
        return new RotationReport(rotated, current, failed);
    }
}
