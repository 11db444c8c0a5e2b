using System.Globalization;

namespace Nexus.Data.Embedded;

/// <summary>The folder holding the PostgreSQL server programs this machine has (Debian: package <c>postgresql</c>).</summary>
internal sealed record PostgresBinaries(string Directory)
{
    public const string MissingMessage =
        "PostgreSQL server binaries not found (initdb, pg_ctl): install the Debian package 'postgresql' or set "
        + EmbeddedPostgresOptions.ConnectionStringSetting;

    private const string DebianRoot = "/usr/lib/postgresql";

    public string InitDb => Path.Combine(Directory, "initdb");

    public string PgCtl => Path.Combine(Directory, "pg_ctl");

    /// <summary>Explicit folder, else PATH, else the highest version under /usr/lib/postgresql.</summary>
    public static PostgresBinaries Locate(string? binDirectory)
    {
        if (!string.IsNullOrWhiteSpace(binDirectory))
        {
            return FromFolder(Path.GetFullPath(binDirectory))
                ?? throw new NexusStartupException(MissingMessage + $" (nothing usable in {EmbeddedPostgresOptions.BinDirectorySetting} '{binDirectory}')");
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (FromFolder(folder) is { } found)
            {
                return found;
            }
        }

        if (System.IO.Directory.Exists(DebianRoot))
        {
            var newest = System.IO.Directory.GetDirectories(DebianRoot)
                .Select(dir => (dir, version: double.TryParse(Path.GetFileName(dir), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(candidate => candidate.version >= 0)
                .OrderByDescending(candidate => candidate.version)
                .Select(candidate => FromFolder(Path.Combine(candidate.dir, "bin")))
                .FirstOrDefault(found => found is not null);
            if (newest is not null)
            {
                return newest;
            }
        }

        throw new NexusStartupException(MissingMessage);
    }

    // Debian links /usr/bin/pg_ctl to a wrapper and some images link initdb into /usr/local/bin: follow the
    // links so that initdb, pg_ctl and postgres all come from one real version folder.
    private static PostgresBinaries? FromFolder(string folder)
    {
        var initDb = Resolve(Path.Combine(folder, "initdb"));
        var pgCtl = Resolve(Path.Combine(folder, "pg_ctl"));
        if (initDb is null || pgCtl is null)
        {
            return null;
        }

        var real = Path.GetDirectoryName(initDb)!;
        return File.Exists(Path.Combine(real, "pg_ctl")) && File.Exists(Path.Combine(real, "postgres"))
            ? new PostgresBinaries(real)
            : null;
    }

    private static string? Resolve(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        var target = File.ResolveLinkTarget(file, returnFinalTarget: true);
        return target?.FullName ?? Path.GetFullPath(file);
    }
}
