using System.ComponentModel.DataAnnotations;

namespace Nexus.Host.Servers;

/// <summary>The operator's limits on polling (configuration section <c>Nexus:Inventory</c>).</summary>
internal sealed class InventoryOptions
{
    public const string Section = "Nexus:Inventory";

    public const int MaximumPollIntervalSeconds = 300;

    /// <summary>
    /// The shortest poll interval a tenant may set, on a server or as its default. Every poll is a
    /// <c>/cluster/resources</c> call against the customer's Proxmox, so the default keeps the prototype's 5 s; an
    /// operator with few, close clusters (or a test host) may go down to 1 s for fresher state.
    /// </summary>
    [Range(1, MaximumPollIntervalSeconds)]
    public int MinimumPollIntervalSeconds { get; set; } = 5;

    public static InventoryOptions Register(IServiceCollection services, IConfiguration configuration)
    {
        var options = Startup.StartupOptions.BindAndValidate<InventoryOptions>(configuration, Section);
        Startup.StartupOptions.Register(services, options);
        return options;
    }
}
