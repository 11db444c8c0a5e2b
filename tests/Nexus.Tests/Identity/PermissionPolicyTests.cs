using Nexus.Contracts.Identity;
using Nexus.Grains.Authorization;

namespace Nexus.Tests.Identity;

/// <summary>The permission matrix, row by row, as the one policy in code answers it.</summary>
public sealed class PermissionPolicyTests
{
    private static readonly Guid Tenant = Guid.NewGuid();
    private static readonly VmAddress Vm100 = new(Guid.NewGuid(), "qemu", 100);
    private static readonly VmAddress Vm101 = new(Vm100.ServerId, "qemu", 101);

    private static TenantAccess Access(GlobalRole global, TenantRole? role, params VmGrantEntry[] grants) =>
        new(Guid.NewGuid(), global, Tenant, role, grants);

    // Columns: global admin, tenant admin, manager, viewer, non-member.
    public static TheoryData<TenantAction, AccessDecision[]> Matrix => new()
    {
        { TenantAction.View, [AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.NotFound] },
        { TenantAction.UpdateTenant, [AccessDecision.Allowed, AccessDecision.Forbidden, AccessDecision.Forbidden, AccessDecision.Forbidden, AccessDecision.NotFound] },
        { TenantAction.DeleteTenant, [AccessDecision.Allowed, AccessDecision.Forbidden, AccessDecision.Forbidden, AccessDecision.Forbidden, AccessDecision.NotFound] },
        { TenantAction.AddServer, [AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Forbidden, AccessDecision.NotFound] },
        { TenantAction.UpdateServer, [AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Forbidden, AccessDecision.NotFound] },
        { TenantAction.DeleteServer, [AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Forbidden, AccessDecision.Forbidden, AccessDecision.NotFound] },
        { TenantAction.ManageMembers, [AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Forbidden, AccessDecision.Forbidden, AccessDecision.NotFound] },
        { TenantAction.ManageVmGrants, [AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Forbidden, AccessDecision.Forbidden, AccessDecision.NotFound] },
        { TenantAction.ManageSettings, [AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Forbidden, AccessDecision.Forbidden, AccessDecision.NotFound] },
        { TenantAction.ViewAudit, [AccessDecision.Allowed, AccessDecision.Allowed, AccessDecision.Forbidden, AccessDecision.Forbidden, AccessDecision.NotFound] },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Tenant_actions_follow_the_matrix(TenantAction action, AccessDecision[] expected)
    {
        (GlobalRole, TenantRole?)[] callers =
        [
            (GlobalRole.Admin, null),
            (GlobalRole.User, TenantRole.Admin),
            (GlobalRole.User, TenantRole.Manager),
            (GlobalRole.User, TenantRole.Viewer),
            (GlobalRole.User, null),
        ];
        var actual = callers.Select(c => PermissionPolicy.Decide(c.Item1, c.Item2, action)).ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(GlobalAction.ManageUsers)]
    [InlineData(GlobalAction.CreateTenant)]
    [InlineData(GlobalAction.ListAllTenants)]
    public void Global_actions_belong_to_global_admins_only(GlobalAction action)
    {
        Assert.Equal(AccessDecision.Allowed, PermissionPolicy.Decide(GlobalRole.Admin, action));
        Assert.Equal(AccessDecision.Forbidden, PermissionPolicy.Decide(GlobalRole.User, action));
    }

    [Fact]
    public void A_global_admin_holds_every_permission_on_every_vm_without_membership()
    {
        Assert.Equal(VmPermissions.All, PermissionPolicy.EffectivePermissions(Access(GlobalRole.Admin, null), Vm100));
    }

    [Theory]
    [InlineData(TenantRole.Admin, VmPermissions.All)]
    [InlineData(TenantRole.Manager, VmPermissions.All)]
    [InlineData(TenantRole.Viewer, VmPermissions.View)]
    public void A_tenant_role_grants_access_to_the_tenants_vms(TenantRole role, VmPermissions expected)
    {
        Assert.Equal(expected, PermissionPolicy.EffectivePermissions(Access(GlobalRole.User, role), Vm100));
    }

    [Fact]
    public void A_vm_grant_adds_permissions_for_that_vm_only()
    {
        var viewer = Access(GlobalRole.User, TenantRole.Viewer, new VmGrantEntry(Vm100, VmPermissions.Console | VmPermissions.Start));

        Assert.Equal(VmPermissions.View | VmPermissions.Console | VmPermissions.Start, PermissionPolicy.EffectivePermissions(viewer, Vm100));
        Assert.Equal(VmPermissions.View, PermissionPolicy.EffectivePermissions(viewer, Vm101));
    }

    [Fact]
    public void A_grant_is_scoped_to_server_and_guest_type_not_only_the_vmid()
    {
        var grantee = Access(GlobalRole.User, null, new VmGrantEntry(Vm100, VmPermissions.Console));

        Assert.Equal(VmPermissions.None, PermissionPolicy.EffectivePermissions(grantee, Vm100 with { GuestType = "lxc" }));
        Assert.Equal(VmPermissions.None, PermissionPolicy.EffectivePermissions(grantee, Vm100 with { ServerId = Guid.NewGuid() }));
    }

    [Fact]
    public void Any_grant_implies_view()
    {
        var grantee = Access(GlobalRole.User, null, new VmGrantEntry(Vm100, VmPermissions.Console));

        Assert.Equal(VmPermissions.View | VmPermissions.Console, PermissionPolicy.EffectivePermissions(grantee, Vm100));
    }

    [Fact]
    public void A_vm_the_caller_cannot_see_is_not_found_and_one_they_see_without_the_permission_is_forbidden()
    {
        var viewer = Access(GlobalRole.User, TenantRole.Viewer);
        var stranger = Access(GlobalRole.User, null);

        Assert.Equal(AccessDecision.Forbidden, PermissionPolicy.DecideVm(viewer, Vm100, VmPermissions.Start));
        Assert.Equal(AccessDecision.Allowed, PermissionPolicy.DecideVm(viewer, Vm100, VmPermissions.View));
        Assert.Equal(AccessDecision.NotFound, PermissionPolicy.DecideVm(stranger, Vm100, VmPermissions.View));
    }

    [Theory]
    [InlineData(VmPowerAction.Start, VmPermissions.Start)]
    [InlineData(VmPowerAction.Resume, VmPermissions.Start)]
    [InlineData(VmPowerAction.Stop, VmPermissions.Stop)]
    [InlineData(VmPowerAction.Shutdown, VmPermissions.Stop)]
    [InlineData(VmPowerAction.Suspend, VmPermissions.Stop)]
    [InlineData(VmPowerAction.Reset, VmPermissions.Restart)]
    [InlineData(VmPowerAction.Reboot, VmPermissions.Restart)]
    public void Each_power_action_needs_its_permission(VmPowerAction action, VmPermissions required)
    {
        Assert.Equal(required, PermissionPolicy.RequiredFor(action));
    }

    [Fact]
    public void Permission_names_round_trip_and_unknown_names_are_refused()
    {
        Assert.True(VmPermissionNames.TryParse(["console", "VIEW"], out var parsed, out _));
        Assert.Equal(["view", "console"], VmPermissionNames.ToNames(parsed));
        Assert.False(VmPermissionNames.TryParse(["view", "delete"], out _, out var unknown));
        Assert.Equal("delete", unknown);
    }
}
