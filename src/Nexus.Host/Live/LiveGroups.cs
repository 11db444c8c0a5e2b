namespace Nexus.Host.Live;

/// <summary>
/// The SignalR groups of one tenant on this silo (the default in-memory hub lifetime manager: a group holds only
/// this silo's connections). Each event is serialized once per group, so the common case costs a few sends,
/// however many browsers watch.
/// </summary>
internal sealed class LiveGroups(Guid tenantId)
{
    /// <summary>Tenant admins and global admins: every event.</summary>
    public string Auditors { get; } = $"live:{tenantId:N}:auditors";

    /// <summary>Managers and viewers: every event but audit notifications.</summary>
    public string Members { get; } = $"live:{tenantId:N}:members";

    /// <summary>Every grant-only connection (they receive most events as <c>hidden</c>).</summary>
    public string GrantedVms { get; } = $"live:{tenantId:N}:vms";

    /// <summary>Both groups that see the whole tenant.</summary>
    public IReadOnlyList<string> WholeTenant { get; } = [$"live:{tenantId:N}:auditors", $"live:{tenantId:N}:members"];

    /// <summary>Every connection of the tenant on this silo.</summary>
    public IReadOnlyList<string> Everyone { get; } = [$"live:{tenantId:N}:auditors", $"live:{tenantId:N}:members", $"live:{tenantId:N}:vms"];

    /// <summary>One grant-only user's connections (their filtered events).</summary>
    public string User(Guid userId) => $"live:{tenantId:N}:user:{userId:N}";

    public IEnumerable<string> For(LiveAudienceKind kind, Guid userId) => kind switch
    {
        LiveAudienceKind.Auditor => [Auditors],
        LiveAudienceKind.Member => [Members],
        _ => [GrantedVms, User(userId)],
    };
}
