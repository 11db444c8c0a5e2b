using Nexus.Data.Access;
using Nexus.Data.Secrets;
using Nexus.Data.Servers;
using Nexus.Host.Database;
using Nexus.Host.Servers;

namespace Nexus.Host.Startup;

/// <summary>Command-line verbs other than serving.</summary>
internal static class Verbs
{
    /// <summary><c>migrate</c>: applies pending scripts to the configured (or embedded) database and exits.</summary>
    public static async Task<int> MigrateAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var options = StartupOptions.BindAndValidate<DatabaseOptions>(configuration, DatabaseOptions.Section);
        options.DataDirectory ??= Path.Combine(new NexusDataFolder(configuration).Root, "postgres");
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole());
        var database = await DatabaseBootstrap.PrepareAsync(options, migrate: true, loggers, CancellationToken.None);
        if (database.Embedded is { } embedded)
        {
            await embedded.StopAsync();
        }
        Console.WriteLine("Database is up to date.");
        return 0;
    }

    /// <summary>
    /// <c>rotate-keys</c>: re-encrypts every stored server credential with <c>Nexus:Credentials:ActiveKeyId</c>,
    /// then exits; afterwards the old keys can be removed from the configuration. Exit code 1 when a credential
    /// could not be opened (its key is missing): nothing else is changed for that server.
    /// </summary>
    public static async Task<int> RotateKeysAsync(string[] args, TextWriter? output = null)
    {
        output ??= Console.Out;
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var ring = ServerServices.CreateKeyRing(configuration);
        var options = StartupOptions.BindAndValidate<DatabaseOptions>(configuration, DatabaseOptions.Section);
        options.DataDirectory ??= Path.Combine(new NexusDataFolder(configuration).Root, "postgres");
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        var connection = await DatabaseBootstrap.PrepareAsync(options, migrate: false, loggers, CancellationToken.None);
        try
        {
            var roles = await DatabaseBootstrap.PrepareRolesAsync(configuration, connection, loggers, CancellationToken.None);
            await using var database = new NexusDatabase(roles);
            var report = await new CredentialRotation(database, new ServerStore(), new CredentialProtector(ring)).RunAsync(CancellationToken.None);
            await output.WriteLineAsync($"Active key '{ring.ActiveKeyId}': re-encrypted {report.Rotated} server credential(s), {report.AlreadyCurrent} already current, {report.Failed.Count} failed.");
            foreach (var (serverId, error) in report.Failed)
            {
                await output.WriteLineAsync($"  server {serverId}: {error}");
            }
            return report.Failed.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (connection.Embedded is { } embedded)
            {
                await embedded.StopAsync();
            }
        }
    }
}
