using Nexus.Contracts.Identity;

namespace Nexus.Data.Identity;

/// <summary>An account as the API shows it (never the password hash).</summary>
public sealed record UserRecord(
    Guid Id,
    string Email,
    string? FullName,
    string? Username,
    string? Company,
    GlobalRole GlobalRole,
    bool Disabled,
    int FailedLoginCount,
    DateTime? LockedUntil,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    int TokenGeneration);

/// <summary>What login needs: the account plus its password hash. Read by the worker role only.</summary>
public sealed record UserCredentials(UserRecord User, string PasswordHash);

public sealed record NewUser(
    string Email,
    string PasswordHash,
    string? FullName = null,
    string? Username = null,
    string? Company = null,
    GlobalRole GlobalRole = GlobalRole.User);

/// <summary>The profile fields a user edits (their own) or a global admin edits (anyone's).</summary>
public sealed record UserProfileUpdate(string Email, string? FullName, string? Username, string? Company);

/// <summary>The lockout state after a failed attempt was recorded.</summary>
public sealed record LoginFailureState(int FailedLoginCount, DateTime? LockedUntil);

/// <summary>A user found by address for adding to a tenant.</summary>
public sealed record UserSummary(Guid Id, string Email, string? FullName, string? Username);

internal static class RoleNames
{
    public static string ToDb(GlobalRole role) => role == GlobalRole.Admin ? "admin" : "user";

    public static GlobalRole ParseGlobal(string value) => value == "admin" ? GlobalRole.Admin : GlobalRole.User;

    public static string ToDb(TenantRole role) => role switch
    {
        TenantRole.Admin => "admin",
        TenantRole.Manager => "manager",
        _ => "viewer",
    };

    public static TenantRole ParseTenant(string value) => value switch
    {
        "admin" => TenantRole.Admin,
        "manager" => TenantRole.Manager,
        _ => TenantRole.Viewer,
    };
}
