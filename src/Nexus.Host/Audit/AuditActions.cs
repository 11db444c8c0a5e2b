namespace Nexus.Host.Audit;

/// <summary>The action names written to the audit log (<c>^[a-z][a-z0-9_.]*$</c>): capability, dot, what happened.</summary>
internal static class AuditActions
{
    public const string LoginSucceeded = "auth.login";
    public const string LoginFailed = "auth.login_failed";
    public const string LockedOut = "auth.locked_out";
    public const string RefreshReused = "auth.refresh_reused";
    public const string Logout = "auth.logout";
    public const string SignedOutEverywhere = "auth.signed_out_everywhere";

    public const string ProfileUpdated = "user.profile_updated";
    public const string PasswordChanged = "user.password_changed";
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string UserRoleChanged = "user.role_changed";
    public const string UserDeleted = "user.deleted";

    public const string TenantCreated = "tenant.created";
    public const string TenantUpdated = "tenant.updated";
    public const string TenantDeleted = "tenant.deleted";
    public const string MemberAdded = "tenant.member_added";
    public const string MemberRoleChanged = "tenant.member_role_changed";
    public const string MemberRemoved = "tenant.member_removed";
    public const string SettingsUpdated = "tenant.settings_updated";
    public const string LogoUpdated = "tenant.logo_updated";
    public const string LogoDeleted = "tenant.logo_deleted";

    public const string VmGrantCreated = "vm_grant.created";
    public const string VmGrantUpdated = "vm_grant.updated";
    public const string VmGrantDeleted = "vm_grant.deleted";
}

/// <summary>The target types written to the audit log.</summary>
internal static class AuditTargets
{
    public const string User = "user";
    public const string Tenant = "tenant";
    public const string Settings = "settings";
    public const string VmGrant = "vm_grant";
}
