using Nexus.Host.Startup;
using Nexus.Simulator.Hosting;

namespace Nexus.Host.Demo;

/// <summary>
/// The <c>demo</c> verb: the normal host plus simulated Proxmox clusters started in-process, a demo tenant with
/// one user per role, and the clusters registered with pinned certificates — something to look at without a
/// Proxmox server. The demo accounts share one generated password, kept in the data folder so it survives runs.
/// </summary>
internal static class DemoMode
{
    public const string AdminEmail = "admin@demo.nexus";

    public static async Task<int> RunAsync(string[] args, Func<string[], NexusHostCustomization, Task<int>> run)
    {
        var options = StartupOptions.BindAndValidate<DemoOptions>(new ConfigurationBuilder()
            .AddEnvironmentVariables().AddCommandLine(args).Build(), DemoOptions.Section);

        await using var simulator = await ProxmoxSimulator.StartAsync(new SimulatorOptions
        {
            Clusters = options.Clusters,
            NodesPerCluster = options.NodesPerCluster,
            GuestsPerCluster = options.GuestsPerCluster,
            Seed = options.Seed,
            ClusterNamePrefix = "demo-cluster-",
        });

        return await run(args, new NexusHostCustomization
        {
            ConfigureBuilder = builder =>
            {
                var password = new NexusDataFolder(builder.Configuration).GetOrCreateSecret("demo-password", 12);
                // The first run of an empty database makes the demo admin its bootstrap admin.
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Nexus:Auth:BootstrapAdminEmail"] = builder.Configuration["Nexus:Auth:BootstrapAdminEmail"] ?? AdminEmail,
                    ["Nexus:Auth:BootstrapAdminPassword"] = builder.Configuration["Nexus:Auth:BootstrapAdminPassword"] ?? password,
                });
                builder.Services.AddSingleton(simulator);
                builder.Services.AddSingleton(new DemoCredentials(AdminEmail, password));
                builder.Services.AddHostedService<DemoSeeder>();
            },
        });
    }
}

/// <summary>The demo accounts' password (the same for every demo account).</summary>
internal sealed record DemoCredentials(string AdminEmail, string Password);
