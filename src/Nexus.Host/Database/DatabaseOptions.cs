using System.ComponentModel.DataAnnotations;

namespace Nexus.Host.Database;

/// <summary>
/// The system of record (configuration section <c>Nexus:Database</c>). Without a connection string the host
/// starts its own embedded PostgreSQL from the machine's binaries.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Nexus:Database";

    /// <summary>Npgsql connection string of an existing database. Empty: use the embedded server.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Data folder of the embedded server. Default: <c>/var/lib/nexus/postgres</c> as root, else under the user's data directory.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Loopback port of the embedded server; 0 picks a free one on the first run and keeps it.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Folder holding <c>initdb</c> and <c>pg_ctl</c>; default: PATH, then <c>/usr/lib/postgresql/*/bin</c>.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>Apply pending <c>sql/</c> scripts at start-up (the <c>migrate</c> verb always does).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
