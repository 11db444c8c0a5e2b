using Nexus.Contracts.Servers;

namespace Nexus.Host.Vms;

/// <summary>A guest as the listing serves it: its server's name, a lower-case search text and its tags, computed once.</summary>
internal sealed record InventoryRow(GuestState Guest, Guid TenantId, string ServerName, string SearchText, IReadOnlyList<string> Tags);

/// <summary>
/// One tenant's guests at one event version, immutable, with an ordering per sort key computed on first use
/// and then shared by every request (10,000 rows sort once per change, not once per request). An ordering whose
/// keys did not move since the previous version (names, nodes and ids rarely do; a poll mostly moves cpu and
/// memory) is taken over from it rather than sorted again.
/// </summary>
internal sealed class TenantInventory
{
    private readonly Lazy<int[]>[] _orders;
    private long _checkedAt;

    public TenantInventory(Guid tenantId, long version, IReadOnlyList<InventoryRow> rows, long checkedAt, TenantInventory? previous = null)
    {
        TenantId = tenantId;
        Version = version;
        Rows = rows;
        _checkedAt = checkedAt;
        _orders = Enum.GetValues<VmSort>().Select(key => previous?.ReusableOrder(key, rows) is { } reused
            ? new Lazy<int[]>(() => reused)
            : new Lazy<int[]>(() => Order(rows, key))).ToArray();
    }

    public Guid TenantId { get; }

    public long Version { get; }

    public IReadOnlyList<InventoryRow> Rows { get; }

    /// <summary>When the version was last confirmed current (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long CheckedAt
    {
        get => Volatile.Read(ref _checkedAt);
        set => Volatile.Write(ref _checkedAt, value);
    }

    /// <summary>Row indexes in ascending order of <paramref name="key"/> (ties by server name, then vmid).</summary>
    public int[] OrderBy(VmSort key) => _orders[(int)key].Value;

    /// <summary>Whether the ordering by <paramref name="key"/> was asked for (so the next version should have it ready).</summary>
    public bool HasOrder(VmSort key) => _orders[(int)key].IsValueCreated;

    public static InventoryRow Row(GuestState guest, Guid tenantId, string serverName) =>
        new(guest, tenantId, serverName,
            string.Join('\n', guest.Name, guest.VmId.ToString(System.Globalization.CultureInfo.InvariantCulture), guest.Node, serverName)
                .ToLowerInvariant(),
            VmRow.TagsOf(guest.Tags));

    /// <summary>This version's ordering by <paramref name="key"/>, when it was computed and still holds for <paramref name="rows"/>.</summary>
    private int[]? ReusableOrder(VmSort key, IReadOnlyList<InventoryRow> rows)
    {
        if (!HasOrder(key) || rows.Count != Rows.Count)
        {
            return null;
        }
        for (var i = 0; i < rows.Count; i++)
        {
            if (!VmOrdering.SameKey(key, Rows[i], rows[i]))
            {
                return null;
            }
        }
        return OrderBy(key);
    }

    private static int[] Order(IReadOnlyList<InventoryRow> rows, VmSort key)
    {
        var indexes = Enumerable.Range(0, rows.Count).ToArray();
        var comparer = VmOrdering.Comparer(key);
        Array.Sort(indexes, (a, b) => comparer.Compare(rows[a], rows[b]));
        return indexes;
    }
}

/// <summary>The sort keys of the VM listing.</summary>
internal enum VmSort
{
    Name,
    VmId,
    Status,
    Cpu,
    Mem,
    Node,
    Server,
}

internal static class VmOrdering
{
    /// <summary>Whether two rows compare the same way under <paramref name="key"/> (every field the comparer reads is equal).</summary>
    public static bool SameKey(VmSort key, InventoryRow a, InventoryRow b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }
        var x = a.Guest;
        var y = b.Guest;
        var primary = key switch
        {
            VmSort.Name => string.Equals(x.Name, y.Name, StringComparison.Ordinal),
            VmSort.VmId or VmSort.Server => true,
            VmSort.Status => string.Equals(x.Status, y.Status, StringComparison.Ordinal),
            VmSort.Cpu => x.Cpu.Equals(y.Cpu),
            VmSort.Mem => x.Memory == y.Memory,
            VmSort.Node => string.Equals(x.Node, y.Node, StringComparison.Ordinal),
            _ => false,
        };
        return primary && x.VmId == y.VmId && x.ServerId == y.ServerId && string.Equals(a.ServerName, b.ServerName, StringComparison.Ordinal);
    }

    public static IComparer<InventoryRow> Comparer(VmSort key) => Comparer<InventoryRow>.Create((a, b) =>
    {
        var primary = key switch
        {
            VmSort.Name => string.Compare(a.Guest.Name, b.Guest.Name, StringComparison.OrdinalIgnoreCase),
            VmSort.VmId => a.Guest.VmId.CompareTo(b.Guest.VmId),
            VmSort.Status => string.CompareOrdinal(a.Guest.Status, b.Guest.Status),
            VmSort.Cpu => a.Guest.Cpu.CompareTo(b.Guest.Cpu),
            VmSort.Mem => a.Guest.Memory.CompareTo(b.Guest.Memory),
            VmSort.Node => string.Compare(a.Guest.Node, b.Guest.Node, StringComparison.OrdinalIgnoreCase),
            VmSort.Server => string.Compare(a.ServerName, b.ServerName, StringComparison.OrdinalIgnoreCase),
            _ => 0,
        };
        if (primary != 0)
        {
            return primary;
        }
        var server = string.Compare(a.ServerName, b.ServerName, StringComparison.OrdinalIgnoreCase);
        if (server != 0)
        {
            return server;
        }
        var id = a.Guest.VmId.CompareTo(b.Guest.VmId);
        return id != 0 ? id : a.Guest.ServerId.CompareTo(b.Guest.ServerId);
    });
}
