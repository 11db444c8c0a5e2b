using Nexus.Contracts.Identity;
using Nexus.Grains.Authorization;
using Nexus.Host.Web;

namespace Nexus.Host.Vms;

/// <summary>The listing's query string: filters, search, sort and page, validated at the edge.</summary>
internal sealed record VmQuery(
    string? Status, string? Type, Guid? Server, string? Node, string? Tag, bool? Template, string? Search,
    VmSort Sort, bool Descending, int Page, int PageSize)
{
    public const int MaxPageSize = 500;

    public static (VmQuery? Query, FieldErrors Errors) Parse(HttpRequest request)
    {
        var q = request.Query;
        var errors = new FieldErrors();
        string? One(string name) => q.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;

        var type = One("type");
        errors.Check(type is null or "qemu" or "lxc", "type", "Either 'qemu' or 'lxc'.");
        Guid? server = null;
        if (One("server") is { } s)
        {
            errors.Check(Guid.TryParse(s, out var id), "server", "A server id.");
            server = id;
        }
        bool? template = null;
        if (One("template") is { } t)
        {
            errors.Check(bool.TryParse(t, out var b), "template", "true or false.");
            template = b;
        }
        var sort = VmSort.Name;
        if (One("sort") is { } sortText)
        {
            errors.Check(Enum.TryParse(sortText, ignoreCase: true, out sort) && Enum.IsDefined(sort), "sort",
                "One of name, vmid, status, cpu, mem, node, server.");
        }
        var order = One("order")?.ToLowerInvariant();
        errors.Check(order is null or "asc" or "desc", "order", "asc or desc.");
        var page = 1;
        if (One("page") is { } p)
        {
            errors.Check(int.TryParse(p, out page) && page >= 1, "page", "A page number from 1.");
        }
        var pageSize = 50;
        if (One("pageSize") is { } ps)
        {
            errors.Check(int.TryParse(ps, out pageSize) && pageSize is >= 1 and <= MaxPageSize, "pageSize", $"1 to {MaxPageSize}.");
        }
        var search = One("search");
        errors.MaxLength(search, 200, "search");
        if (errors.Any)
        {
            return (null, errors);
        }
        return (new VmQuery(One("status")?.ToLowerInvariant(), type, server, One("node"), One("tag"), template,
            search?.ToLowerInvariant(), sort, order == "desc", page, pageSize), errors);
    }

    public bool Unfiltered => Status is null && Type is null && Server is null && Node is null && Tag is null && Template is null && Search is null;

    /// <summary>Whether the row passes the filters and the search.</summary>
    public bool Matches(InventoryRow row)
    {
        var g = row.Guest;
        return (Status is null || g.Status == Status || (Status == "paused" && g.Status == "suspended"))
            && (Type is null || g.Type == Type)
            && (Server is null || g.ServerId == Server)
            && (Node is null || string.Equals(g.Node, Node, StringComparison.OrdinalIgnoreCase))
            && (Template is null || g.Template == Template)
            && (Tag is null || row.Tags.Contains(Tag, StringComparer.OrdinalIgnoreCase))
            && (Search is null || row.SearchText.Contains(Search, StringComparison.Ordinal));
    }
}

/// <summary>A VM visible to the caller, in the listing's sort order, with what the caller may do with it.</summary>
internal readonly record struct VisibleRow(InventoryRow Row, VmPermissions Permissions);

/// <summary>Runs a <see cref="VmQuery"/> over inventories with a caller's access.</summary>
internal static class VmListing
{
    /// <summary>The rows of one tenant the caller may view and the query selects, in the query's order.</summary>
    public static IEnumerable<InventoryRow> Select(TenantInventory inventory, TenantAccess access, VmQuery query)
    {
        var order = inventory.OrderBy(query.Sort);
        var all = PermissionPolicy.FromRoles(access.GlobalRole, access.TenantRole).HasFlag(VmPermissions.View);
        // A grant-only caller sees exactly the granted VMs: a set lookup per row instead of a policy call.
        var granted = all ? null : access.Grants.Select(g => g.Vm).ToHashSet();
        for (var i = 0; i < order.Length; i++)
        {
            var row = inventory.Rows[order[query.Descending ? order.Length - 1 - i : i]];
            if ((granted is null || granted.Contains(new VmAddress(row.Guest.ServerId, row.Guest.Type, row.Guest.VmId))) && query.Matches(row))
            {
                yield return row;
            }
        }
    }

    /// <summary>One tenant's page; without filters, for a caller who sees every VM, no pass over all rows is needed.</summary>
    public static VmPage Page(TenantInventory inventory, TenantAccess access, VmQuery query)
    {
        if (!query.Unfiltered || !PermissionPolicy.FromRoles(access.GlobalRole, access.TenantRole).HasFlag(VmPermissions.View))
        {
            return Page(Select(inventory, access, query), _ => access, query, inventory.Version);
        }
        var order = inventory.OrderBy(query.Sort);
        var skip = (int)Math.Min((long)(query.Page - 1) * query.PageSize, order.Length);
        var take = Math.Min(query.PageSize, order.Length - skip);
        var items = new List<VmRow>(take);
        for (var i = skip; i < skip + take; i++)
        {
            var row = inventory.Rows[order[query.Descending ? order.Length - 1 - i : i]];
            var g = row.Guest;
            items.Add(VmRow.From(row, PermissionPolicy.EffectivePermissions(access, new VmAddress(g.ServerId, g.Type, g.VmId))));
        }
        return new VmPage(items, order.Length, query.Page, query.PageSize, inventory.Version);
    }

    public static VmPage Page(IEnumerable<InventoryRow> ordered, Func<InventoryRow, TenantAccess> accessOf, VmQuery query, long? version)
    {
        var skip = (long)(query.Page - 1) * query.PageSize;
        var total = 0;
        var items = new List<VmRow>(query.PageSize);
        foreach (var row in ordered)
        {
            if (total >= skip && items.Count < query.PageSize)
            {
                var g = row.Guest;
                var permissions = PermissionPolicy.EffectivePermissions(accessOf(row), new VmAddress(g.ServerId, g.Type, g.VmId));
                items.Add(VmRow.From(row, permissions));
            }
            total++;
        }
        return new VmPage(items, total, query.Page, query.PageSize, version);
    }
}
