using Npgsql;

namespace Nexus.Data.Access;

/// <summary>
/// How the application reaches PostgreSQL once the schema is in place (configuration section
/// <c>Nexus:Database</c>). Both strings empty: start-up derives them from the owner connection and gives the
/// roles their login (see <see cref="DatabaseRoles"/>). Both set: used as given, e.g. for an external database
/// whose roles the operator manages.
/// </summary>
public sealed class NexusDatabaseOptions
{
    public const string Section = "Nexus:Database";
    public const string AppConnectionStringSetting = Section + ":AppConnectionString";
    public const string WorkerConnectionStringSetting = Section + ":WorkerConnectionString";

    /// <summary>Connection string of the web application's role (<c>nexus_app</c>: LOGIN, NOBYPASSRLS).</summary>
    public string? AppConnectionString { get; set; }

    /// <summary>Connection string of the background role (<c>nexus_worker</c>).</summary>
    public string? WorkerConnectionString { get; set; }

    /// <summary>Throws a one-line <see cref="NexusStartupException"/> naming the setting when a string is unusable.</summary>
    public void Validate()
    {
        Check(AppConnectionString, AppConnectionStringSetting);
        Check(WorkerConnectionString, WorkerConnectionStringSetting);
    }

    private static void Check(string? connectionString, string setting)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new NexusStartupException($"{setting}: required");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new NexusStartupException($"{setting}: {ex.Message}");
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new NexusStartupException($"{setting}: no Host in the connection string");
        }

        if (string.IsNullOrEmpty(builder.Username))
        {
            throw new NexusStartupException($"{setting}: no Username in the connection string");
        }
    }
}
