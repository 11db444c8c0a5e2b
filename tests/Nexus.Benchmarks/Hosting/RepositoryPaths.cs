namespace Nexus.Benchmarks.Hosting;

/// <summary>Finds built artefacts of sibling projects in the repository this benchmark was built from.</summary>
internal static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Nexus.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("Nexus.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// The newest build (Release or Debug) of a project's main assembly, e.g. <c>Nexus.Host</c>; or the file named by
    /// the environment variable <c>NEXUS_BENCH_NEXUS_HOST</c> (for <c>Nexus.Host</c>), to measure one build against
    /// another, or a Release build while someone else keeps building Debug in the same tree.
    /// </summary>
    public static string BuiltAssembly(string project)
    {
        var variable = "NEXUS_BENCH_" + project.Replace('.', '_').ToUpperInvariant();
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } chosen)
        {
            return File.Exists(chosen) ? Path.GetFullPath(chosen) : throw new InvalidOperationException($"{variable}: {chosen} does not exist.");
        }
        var candidates = new[] { "Release", "Debug" }
            .Select(c => new FileInfo(Path.Combine(Root, "src", project, "bin", c, "net10.0", project + ".dll")))
            .Where(f => f.Exists)
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .ToArray();
        return candidates.Length > 0
            ? candidates[0].FullName
            : throw new InvalidOperationException($"{project} is not built: run `dotnet build src/{project} -c Release -p:SkipWebClient=true` first.");
    }
}
