namespace Nexus.Contracts.Identity;

/// <summary>
/// A member's role in one tenant, ordered by what it allows (viewer &lt; manager &lt; admin).
/// Stored and sent as <c>admin</c> / <c>manager</c> / <c>viewer</c>.
/// </summary>
public enum TenantRole
{
    Viewer = 0,
    Manager = 1,
    Admin = 2,
}
