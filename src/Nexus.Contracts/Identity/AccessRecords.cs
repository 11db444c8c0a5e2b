namespace Nexus.Contracts.Identity;

/// <summary>A VM as the permission model addresses it: server + guest type (<c>qemu</c>/<c>lxc</c>) + vmid.</summary>
[GenerateSerializer, Immutable]
public sealed record VmAddress(
    [property: Id(0)] Guid ServerId,
    [property: Id(1)] string GuestType,
    [property: Id(2)] int VmId);

/// <summary>
/// Everything the permission policy needs to know about a caller for one tenant: their global role, their
/// role in that tenant (null when not a member) and their per-VM grants there. Built per request from the
/// database, so a role change or a disabled account takes effect at once.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TenantAccess(
    [property: Id(0)] Guid UserId,
    [property: Id(1)] GlobalRole GlobalRole,
    [property: Id(2)] Guid TenantId,
    [property: Id(3)] TenantRole? TenantRole,
    [property: Id(4)] IReadOnlyList<VmGrantEntry> Grants);

/// <summary>One per-user grant on a single VM of the tenant.</summary>
[GenerateSerializer, Immutable]
public sealed record VmGrantEntry(
    [property: Id(0)] VmAddress Vm,
    [property: Id(1)] VmPermissions Permissions);
