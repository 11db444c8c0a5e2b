using Nexus.Host.Database;

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
}
