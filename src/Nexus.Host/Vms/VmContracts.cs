using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Vms;

namespace Nexus.Host.Vms;

/// <summary>A VM row of the listing (the prototype's <c>list-vms</c> fields, plus ids and the caller's permissions).</summary>
internal sealed record VmRow(
    Guid TenantId, Guid ServerId, string ServerName, string Type, int VmId, string Name, string Node, string Status,
    double Cpu, double MaxCpu, long Memory, long MaxMemory, long Disk, long MaxDisk, long Uptime, bool Template,
    IReadOnlyList<string> Tags, string? Pool, string? Lock, long NetIn, long NetOut, long DiskRead, long DiskWrite,
    IReadOnlyList<string> Permissions)
{
    // The listing builds 50 rows per request: their tags were split once per inventory, and there are only 32
    // permission sets, so neither allocates per row.
    private static readonly IReadOnlyList<string>[] PermissionNames =
        Enumerable.Range(0, (int)VmPermissions.All + 1).Select(p => VmPermissionNames.ToNames((VmPermissions)p)).ToArray();

    public static VmRow From(InventoryRow row, VmPermissions permissions) => From(row.Guest, row.TenantId, row.ServerName, permissions, row.Tags);

    public static VmRow From(GuestState g, Guid tenantId, string serverName, VmPermissions permissions, IReadOnlyList<string>? tags = null) => new(
        tenantId, g.ServerId, serverName, g.Type, g.VmId, g.Name, g.Node, g.Status, g.Cpu, g.MaxCpu, g.Memory, g.MaxMemory,
        g.Disk, g.MaxDisk, g.Uptime, g.Template, tags ?? TagsOf(g.Tags), g.Pool, g.Lock, g.NetIn, g.NetOut, g.DiskRead, g.DiskWrite,
        NamesOf(permissions));

    private static IReadOnlyList<string> NamesOf(VmPermissions permissions) =>
        (uint)permissions < (uint)PermissionNames.Length ? PermissionNames[(int)permissions] : VmPermissionNames.ToNames(permissions);

    /// <summary>Proxmox sends tags as one string separated by ';' (older versions also ',' or ' ').</summary>
    public static IReadOnlyList<string> TagsOf(string? tags) =>
        string.IsNullOrEmpty(tags) ? [] : tags.Split([';', ',', ' '], StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>One page of the listing. <see cref="Version"/> is the tenant's event version the page reflects (one tenant only).</summary>
internal sealed record VmPage(IReadOnlyList<VmRow> Items, int Total, int Page, int PageSize, long? Version);

/// <summary>One VM with the details of <c>status/current</c> when Proxmox answered in time.</summary>
internal sealed record VmDetails(VmRow Vm, GuestDetail? Detail);

/// <summary>A power action's task as the API shows it.</summary>
internal sealed record VmTaskDto(
    Guid TaskId, Guid ServerId, string Type, int VmId, string Action, string? Upid, string State, string? ExitStatus,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, Guid RequestedBy)
{
    public static VmTaskDto From(VmTask t) => new(t.TaskId, t.Vm.ServerId, t.Vm.GuestType, t.Vm.VmId,
        t.Action.ToString().ToLowerInvariant(), t.Upid, t.State.ToString().ToLowerInvariant(), t.ExitStatus, t.StartedAt, t.EndedAt, t.RequestedBy);
}

/// <summary>One RRD point in the prototype's units (F26): percentages for cpu, memory and disk; bytes per second for I/O.</summary>
internal sealed record RrdPoint(
    DateTimeOffset Time, double? Cpu, double? Memory, double? MemoryUsed, double? MemoryMax, double? Disk,
    double? DiskRead, double? DiskWrite, double? NetIn, double? NetOut)
{
    public static RrdPoint From(RrdSample s)
    {
        double? V(string key) => s.Values.TryGetValue(key, out var v) ? v : null;
        double? Percent(double? used, double? max) => used is { } u && max is > 0 ? Math.Round(u / max.Value * 100, 2) : null;
        return new RrdPoint(s.Time, V("cpu") is { } cpu ? Math.Round(cpu * 100, 2) : null,
            Percent(V("mem"), V("maxmem")), V("mem"), V("maxmem"), Percent(V("disk"), V("maxdisk")),
            V("diskread"), V("diskwrite"), V("netin"), V("netout"));
    }
}

internal sealed record RrdSeries(string Timeframe, IReadOnlyList<RrdPoint> Data);
