namespace Nexus.Simulator.Access;

/// <summary>Who made a request: a user (ticket) or a token; <see cref="Id"/> is what PVE puts in UPIDs.</summary>
internal sealed record Principal(
    string UserId,
    string? TokenName,
    IReadOnlySet<string> Privileges,
    IReadOnlySet<int>? Vmids,
    bool ViaTicket)
{
    public string Id => TokenName is null ? UserId : $"{UserId}!{TokenName}";

    public bool IsRoot => UserId == "root@pam" && TokenName is null;

    public bool Has(string path, string privilege)
    {
        if (!Privileges.Contains(privilege))
        {
            return false;
        }
        if (Vmids is not null && path.StartsWith("/vms/", StringComparison.Ordinal))
        {
            return int.TryParse(path.AsSpan(5), out var vmid) && Vmids.Contains(vmid);
        }
        return true;
    }
}
