using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Tenants;
using Nexus.Grains.Authorization;
using Nexus.Host.Web;

namespace Nexus.Host.Live;

/// <summary>A guest with what the caller may do with it.</summary>
internal sealed record LiveVm(GuestState Guest, IReadOnlyList<string> Permissions);

/// <summary>
/// The state a live client starts from: <see cref="Version"/> is the tenant's event version read before anything
/// else, so every event after it is either already reflected here or still to come (bodies are state, applying
/// one twice is harmless). Servers and stats are the whole tenant's, for members; empty and null for a
/// grant-only user, whose <see cref="Vms"/> are their granted VMs.
/// </summary>
internal sealed record LiveSnapshot(
    Guid TenantId, long Version, LiveAudienceKind Access, IReadOnlyList<ServerStatus> Servers, IReadOnlyList<LiveVm> Vms, TenantStats? Stats);

/// <summary><c>GET /api/tenants/{id}/live</c>: the snapshot of the live protocol (Live/README.md), served from the grains.</summary>
internal static class LiveSnapshotEndpoints
{
    public static IEndpointRouteBuilder MapLiveSnapshotEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/tenants/{id:guid}").WithTags("Live").RequireAuthorization()
            .MapGet("/live", GetAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<LiveSnapshot>, ProblemHttpResult>> GetAsync(
        Guid id, CurrentUser caller, LiveAccessLoader loader, IGrainFactory grains, CancellationToken ct)
    {
        var audience = await loader.LoadAsync(caller.Id, id, ct);
        if (audience is null)
        {
            return Problems.NotFound("The tenant");
        }
        var tenant = grains.GetGrain<ITenantGrain>(id);
        // First, so that no event after the snapshot's state can carry a version at or below it.
        var version = await tenant.GetVersion();
        var serverIds = await tenant.GetServers();
        var snapshots = await Task.WhenAll(serverIds.Select(s => grains.GetGrain<IProxmoxServerGrain>(s).GetSnapshot()));
        var vms = new List<LiveVm>();
        foreach (var guest in snapshots.SelectMany(s => s.Guests))
        {
            var permissions = PermissionPolicy.EffectivePermissions(audience.Access, new VmAddress(guest.ServerId, guest.Type, guest.VmId));
            if (permissions.HasFlag(VmPermissions.View))
            {
                vms.Add(new LiveVm(guest, VmPermissionNames.ToNames(permissions)));
            }
        }
        var whole = audience.SeesWholeTenant;
        return TypedResults.Ok(new LiveSnapshot(
            id, version, audience.Kind,
            whole ? snapshots.Select(s => s.Status).ToList() : [],
            vms,
            whole ? await tenant.GetStats() : null));
    }
}
