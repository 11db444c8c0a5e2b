namespace Nexus.Grains.Tenants;

/// <summary>
/// What a tenant's grain keeps (state name <c>"tenant"</c>): the high-water mark of event versions it may have
/// handed out, and the servers that poll for it.
/// </summary>
[GenerateSerializer]
internal sealed class TenantGrainState
{
    /// <summary>Every version handed out so far is at most this; a new activation continues above it.</summary>
    [Id(0)] public long ReservedVersion { get; set; }

    [Id(1)] public List<Guid> Servers { get; set; } = [];
}
