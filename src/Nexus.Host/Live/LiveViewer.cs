using System.Collections.Frozen;
using Nexus.Contracts.Identity;

namespace Nexus.Host.Live;

/// <summary>One user watching a tenant on this silo: their audience and their connections here. Immutable; replaced on change.</summary>
internal sealed record LiveViewer(Guid UserId, LiveAudience Audience, IReadOnlyList<string> Connections, string UserGroup);

/// <summary>
/// What the hot path needs about grant-only viewers, rebuilt whenever one joins, leaves or changes: which of them
/// see a given VM. A lookup per changed VM, no database and no per-connection work.
/// </summary>
internal sealed class GrantedViewers
{
    public static readonly GrantedViewers None = new([]);

    public GrantedViewers(IEnumerable<LiveViewer> viewers)
    {
        ByVm = viewers
            .Where(v => v.Audience.Kind == LiveAudienceKind.GrantedVms && v.Connections.Count > 0)
            .SelectMany(v => v.Audience.Vms.Select(vm => (Key: Key(vm), Viewer: v)))
            .GroupBy(p => p.Key, p => p.Viewer)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray());
    }

    public FrozenDictionary<(Guid ServerId, string GuestType, int VmId), LiveViewer[]> ByVm { get; }

    public static (Guid, string, int) Key(VmAddress vm) => (vm.ServerId, vm.GuestType, vm.VmId);
}
