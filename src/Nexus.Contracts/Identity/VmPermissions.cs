namespace Nexus.Contracts.Identity;

/// <summary>What a user may do with one VM. Sent as a list of names: <c>["view","console"]</c>.</summary>
[Flags]
public enum VmPermissions
{
    None = 0,
    View = 1,
    Console = 2,
    Start = 4,
    Stop = 8,
    Restart = 16,
    All = View | Console | Start | Stop | Restart,
}

public static class VmPermissionNames
{
    private static readonly (VmPermissions Flag, string Name)[] Names =
    [
        (VmPermissions.View, "view"),
        (VmPermissions.Console, "console"),
        (VmPermissions.Start, "start"),
        (VmPermissions.Stop, "stop"),
        (VmPermissions.Restart, "restart"),
    ];

    /// <summary>The names of the set flags, in the canonical order view, console, start, stop, restart.</summary>
    public static IReadOnlyList<string> ToNames(VmPermissions permissions) =>
        Names.Where(n => permissions.HasFlag(n.Flag)).Select(n => n.Name).ToArray();

    /// <summary>Parses permission names; <c>false</c> with the offending name when one is unknown.</summary>
    public static bool TryParse(IEnumerable<string> names, out VmPermissions permissions, out string? unknown)
    {
        permissions = VmPermissions.None;
        unknown = null;
        foreach (var name in names)
        {
            var match = Array.FindIndex(Names, n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));
            if (match < 0)
            {
                unknown = name;
                return false;
            }
            permissions |= Names[match].Flag;
        }
        return true;
    }
}
