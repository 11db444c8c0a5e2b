namespace Nexus.Tests.Observability;

/// <summary>
/// Nexus's meters are process-wide (static, as the Proxmox client is built without DI), so every host in the test
/// process adds to the same series. These tests compare values before and after, so they run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ObservabilityCollection
{
    public const string Name = "Observability (process-wide meters)";
}
