using Nexus.Contracts.Identity;

namespace Nexus.Grains.Authorization;

/// <summary>
/// The one place the permission matrix lives. Everything that authorizes (endpoints, grains, the hub) asks
/// here; PostgreSQL row-level security enforces the same rules a second time underneath.
/// <para>
/// Differences from the prototype, on purpose (seed-features §1.4, §2): a tenant role grants access to that
/// tenant's VMs (admin and manager: every permission; viewer: view), VM grants only ever add permissions for
/// single VMs, grants are scoped to server + guest type + vmid, and a caller who cannot see a target gets
/// <see cref="AccessDecision.NotFound"/> rather than a hint that it exists.
/// </para>
/// </summary>
public static class PermissionPolicy
{
    public static bool IsGlobalAdmin(GlobalRole role) => role == GlobalRole.Admin;

    public static AccessDecision Decide(GlobalRole globalRole, GlobalAction action) => action switch
    {
        GlobalAction.ManageUsers or GlobalAction.CreateTenant or GlobalAction.ListAllTenants =>
            IsGlobalAdmin(globalRole) ? AccessDecision.Allowed : AccessDecision.Forbidden,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>
    /// Decides a tenant-level action. <paramref name="tenantRole"/> is the caller's membership in that tenant,
    /// or null when they are not a member, in which case a non-admin does not see the tenant at all.
    /// </summary>
    public static AccessDecision Decide(GlobalRole globalRole, TenantRole? tenantRole, TenantAction action)
    {
        if (IsGlobalAdmin(globalRole))
        {
            return AccessDecision.Allowed;
        }
        if (tenantRole is not { } role)
        {
            return AccessDecision.NotFound;
        }
        return Allows(role, action) ? AccessDecision.Allowed : AccessDecision.Forbidden;
    }

    public static AccessDecision Decide(TenantAccess access, TenantAction action) =>
        Decide(access.GlobalRole, access.TenantRole, action);

    private static bool Allows(TenantRole role, TenantAction action) => action switch
    {
        TenantAction.View => true,
        TenantAction.AddServer or TenantAction.UpdateServer => role >= TenantRole.Manager,
        TenantAction.DeleteServer or TenantAction.ManageMembers or TenantAction.ManageVmGrants
            or TenantAction.ManageSettings or TenantAction.ViewAudit => role == TenantRole.Admin,
        // Tenants themselves are created, changed and deleted by global admins only.
        TenantAction.UpdateTenant or TenantAction.DeleteTenant => false,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>
    /// What <paramref name="access"/>'s caller may do with <paramref name="vm"/>, a VM of
    /// <see cref="TenantAccess.TenantId"/>: the union of what their global role, their tenant role and their
    /// grants for exactly this VM give.
    /// </summary>
    public static VmPermissions EffectivePermissions(TenantAccess access, VmAddress vm)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(vm);
        var permissions = FromRoles(access.GlobalRole, access.TenantRole);
        foreach (var grant in access.Grants)
        {
            if (grant.Vm == vm)
            {
                permissions |= grant.Permissions;
            }
        }
        // Any grant implies the VM is visible (seed §1.5: "view is implied by any assignment").
        return permissions == VmPermissions.None ? VmPermissions.None : permissions | VmPermissions.View;
    }

    /// <summary>What the roles alone give on every VM of the tenant, before per-VM grants.</summary>
    public static VmPermissions FromRoles(GlobalRole globalRole, TenantRole? tenantRole)
    {
        if (IsGlobalAdmin(globalRole))
        {
            return VmPermissions.All;
        }
        return tenantRole switch
        {
            TenantRole.Admin or TenantRole.Manager => VmPermissions.All,
            TenantRole.Viewer => VmPermissions.View,
            _ => VmPermissions.None,
        };
    }

    /// <summary>Decides whether the caller may do what <paramref name="required"/> names with the VM.</summary>
    public static AccessDecision DecideVm(TenantAccess access, VmAddress vm, VmPermissions required)
    {
        var effective = EffectivePermissions(access, vm);
        if (!effective.HasFlag(VmPermissions.View))
        {
            return AccessDecision.NotFound;
        }
        return effective.HasFlag(required) ? AccessDecision.Allowed : AccessDecision.Forbidden;
    }

    /// <summary>start/resume → start; stop/shutdown/suspend → stop; reset/reboot → restart.</summary>
    public static VmPermissions RequiredFor(VmPowerAction action) => action switch
    {
        VmPowerAction.Start or VmPowerAction.Resume => VmPermissions.Start,
        VmPowerAction.Stop or VmPowerAction.Shutdown or VmPowerAction.Suspend => VmPermissions.Stop,
        VmPowerAction.Reset or VmPowerAction.Reboot => VmPermissions.Restart,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}
