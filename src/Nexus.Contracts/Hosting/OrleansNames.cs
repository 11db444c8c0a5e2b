namespace Nexus.Contracts.Hosting;

/// <summary>Names of Orleans providers every silo registers; grains and host code refer to them by these constants.</summary>
public static class OrleansNames
{
    /// <summary>Grain state storage (PostgreSQL, System.Text.Json payloads).</summary>
    public const string GrainStorage = "Default";

    /// <summary>The memory stream provider that carries tenant events.</summary>
    public const string StreamProvider = "Updates";

    /// <summary>Storage for explicit stream subscriptions; Orleans requires exactly this name.</summary>
    public const string PubSubStore = "PubSubStore";
}
