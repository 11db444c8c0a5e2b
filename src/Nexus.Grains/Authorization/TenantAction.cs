namespace Nexus.Grains.Authorization;

/// <summary>What a caller may try to do within one tenant (the rows of the permission matrix).</summary>
public enum TenantAction
{
    /// <summary>See the tenant, its servers, settings, metrics, members and VMs list.</summary>
    View,
    UpdateTenant,
    DeleteTenant,
    AddServer,
    /// <summary>Update a server, test it, run its health check.</summary>
    UpdateServer,
    DeleteServer,
    ManageMembers,
    ManageVmGrants,
    ManageSettings,
    /// <summary>Audit log, notifications, CSV export.</summary>
    ViewAudit,
}

/// <summary>What a caller may try to do outside any tenant.</summary>
public enum GlobalAction
{
    /// <summary>The admin pages: users, global roles, deleting users.</summary>
    ManageUsers,
    CreateTenant,
    /// <summary>List every tenant, inactive ones included.</summary>
    ListAllTenants,
}
