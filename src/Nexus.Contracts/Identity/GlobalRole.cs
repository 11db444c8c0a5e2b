namespace Nexus.Contracts.Identity;

/// <summary>A user's role across the whole installation. Stored and sent as <c>admin</c> / <c>user</c>.</summary>
public enum GlobalRole
{
    User = 0,
    Admin = 1,
}
