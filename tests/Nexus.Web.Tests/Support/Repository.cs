namespace Nexus.Web.Tests.Support;

internal static class Repository
{
    /// <summary>The checkout's root (the folder with Nexus.sln), found upwards from the test binaries.</summary>
    public static string Root { get; } = Find();

    public static string WebClient => Path.Combine(Root, "src", "Nexus.Web");

    public static string HostProject => Path.Combine(Root, "src", "Nexus.Host");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nexus.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Nexus.sln was not found above " + AppContext.BaseDirectory);
    }
}
