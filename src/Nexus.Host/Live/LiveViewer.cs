using System.Collections.Frozen;
using Nexus.Contracts.Identity;

namespace Nexus.Host.Live;

/// <summary>One user watching a tenant on this silo: their audience and their connections here. Immutable; replaced on change.</summary>
internal sealed record LiveViewer(Guid UserId, LiveAudience Audience, IReadOnlyList<string> Connections, string UserGroup);

/// <summary>
/// What the hot path needs about this silo's viewers of a tenant, rebuilt whenever one joins, leaves or changes:
/// which grant-only viewers see a given VM, and each user's connections. A lookup per changed VM or per console
/// session, no database and no per-connection work.
/// </summary>
internal sealed class LiveViewers
{
    public static readonly LiveViewers None = new([]);

    public LiveViewers(IReadOnlyCollection<LiveViewer> viewers)
    {
        ByUser = viewers.Where(v => v.Connections.Count > 0).ToFrozenDictionary(v => v.UserId);
        ByVm = viewers
            .Where(v => v.Audience.Kind == LiveAudienceKind.GrantedVms && v.Connections.Count > 0)
            .SelectMany(v => v.Audience.Vms.Select(vm => (Key: Key(vm), Viewer: v)))
            .GroupBy(p => p.Key, p => p.Viewer)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray());
    }

    public FrozenDictionary<(Guid ServerId, string GuestType, int VmId), LiveViewer[]> ByVm { get; }

    public FrozenDictionary<Guid, LiveViewer> ByUser { get; }

    public static (Guid, string, int) Key(VmAddress vm) => (vm.ServerId, vm.GuestType, vm.VmId);
}
