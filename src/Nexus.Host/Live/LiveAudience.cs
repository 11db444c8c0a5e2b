using System.Collections.Frozen;
using Nexus.Contracts.Identity;
using Nexus.Grains.Authorization;

namespace Nexus.Host.Live;

/// <summary>Which part of a tenant's events a viewer receives.</summary>
internal enum LiveAudienceKind
{
    /// <summary>Tenant admins and global admins: every event, audit notifications included.</summary>
    Auditor,

    /// <summary>Managers and viewers: every event but audit notifications.</summary>
    Member,

    /// <summary>A user whose access comes only from VM grants: events about those VMs alone.</summary>
    GrantedVms,
}

/// <summary>
/// What one user may receive of one tenant's events, decided by <see cref="PermissionPolicy"/> from their
/// <see cref="TenantAccess"/> when they join and again whenever their access changes.
/// </summary>
internal sealed record LiveAudience(LiveAudienceKind Kind, TenantAccess Access, FrozenSet<VmAddress> Vms)
{
    /// <summary>The audience for <paramref name="access"/>, or null when it sees nothing of the tenant.</summary>
    public static LiveAudience? For(TenantAccess access)
    {
        if (PermissionPolicy.Decide(access, TenantAction.ViewAudit) == AccessDecision.Allowed)
        {
            return new LiveAudience(LiveAudienceKind.Auditor, access, FrozenSet<VmAddress>.Empty);
        }
        if (PermissionPolicy.FromRoles(access.GlobalRole, access.TenantRole).HasFlag(VmPermissions.View))
        {
            return new LiveAudience(LiveAudienceKind.Member, access, FrozenSet<VmAddress>.Empty);
        }
        var vms = access.Grants
            .Where(g => PermissionPolicy.EffectivePermissions(access, g.Vm).HasFlag(VmPermissions.View))
            .Select(g => g.Vm)
            .ToFrozenSet();
        return vms.Count == 0 ? null : new LiveAudience(LiveAudienceKind.GrantedVms, access, vms);
    }

    public bool SeesWholeTenant => Kind != LiveAudienceKind.GrantedVms;

    /// <summary>The account's token generation when the access was read: connections made with an older token are ended.</summary>
    public int TokenGeneration { get; init; }
}
