using System.ComponentModel.DataAnnotations;

namespace Nexus.Host.Demo;

/// <summary>The <c>demo</c> verb's simulated estate (configuration section <c>Nexus:Demo</c>).</summary>
internal sealed class DemoOptions
{
    public const string Section = "Nexus:Demo";

    [Range(1, 200)]
    public int Clusters { get; set; } = 3;

    [Range(1, 16)]
    public int NodesPerCluster { get; set; } = 3;

    [Range(1, 500)]
    public int GuestsPerCluster { get; set; } = 40;

    /// <summary>Seed of the simulated inventory: the same seed gives the same guests on every run.</summary>
    public int Seed { get; set; } = 42;
}
