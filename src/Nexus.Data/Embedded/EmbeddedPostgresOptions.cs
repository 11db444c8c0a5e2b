namespace Nexus.Data.Embedded;

/// <summary>How the private PostgreSQL server is laid out and reached. Every property has a working default.</summary>
public sealed class EmbeddedPostgresOptions
{
    /// <summary>Setting names used in start-up errors, so the operator knows what to change.</summary>
    public const string DataDirectorySetting = "Nexus:Database:DataDirectory";
    public const string PortSetting = "Nexus:Database:Port";
    public const string BinDirectorySetting = "Nexus:Database:BinDirectory";
    public const string ConnectionStringSetting = "Nexus:Database:ConnectionString";

    /// <summary>
    /// Folder holding the cluster, its password and its port. Default: <c>/var/lib/nexus/postgres</c> as root,
    /// else <c>$XDG_DATA_HOME/nexus/postgres</c> or <c>~/.local/share/nexus/postgres</c>.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Loopback port. 0: pick a free one on the first run and keep it in the data folder; when that port is taken
    /// on a later run, another free one is picked (and kept). A non-zero port that is taken fails start-up.
    /// </summary>
    public int Port { get; set; }

    /// <summary>Folder with <c>initdb</c> and <c>pg_ctl</c>. Default: PATH, then the newest <c>/usr/lib/postgresql/*/bin</c>.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>
    /// False trades crash safety for speed (fsync off, no initdb sync): only for throwaway servers such as tests.
    /// </summary>
    public bool Durable { get; set; } = true;

    /// <summary>
    /// PostgreSQL's <c>max_connections</c>. Each silo keeps three pools (Orleans, requests, background work); the
    /// default leaves room for several silos on one machine. Servers shared by many short-lived hosts (tests) need more.
    /// </summary>
    public int MaxConnections { get; set; } = 300;

    internal string ResolveDataDirectory()
    {
        if (!string.IsNullOrWhiteSpace(DataDirectory))
        {
            return Path.GetFullPath(DataDirectory);
        }

        if (Environment.IsPrivilegedProcess)
        {
            return "/var/lib/nexus/postgres";
        }

        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrWhiteSpace(dataHome))
        {
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }
        return Path.Combine(dataHome, "nexus", "postgres");
    }
}
