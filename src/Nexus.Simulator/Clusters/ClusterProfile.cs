namespace Nexus.Simulator.Clusters;

/// <summary>
/// Version switches of one simulated cluster: which Proxmox VE release its wire behaviour follows.
/// The console side reads <see cref="LegacyVncTicket"/>.
/// </summary>
/// <param name="PveVersion">What <c>GET /version</c> reports.</param>
/// <param name="LegacyVncTicket">
/// qemu-server before 9.1.7 (Apr 2026): vncproxy answers a bare <c>PVEVNC:…</c> ticket (the VNC password is
/// the ticket itself) and no <c>password</c> field.
/// </param>
/// <param name="LegacyErrorBody">
/// libpve-http-server-perl before 5.2.0 (Jan 2025): error bodies carry no <c>message</c> key; clients must
/// read the reason phrase.
/// </param>
public sealed record ClusterProfile(
    string PveVersion = "9.2.11",
    bool LegacyVncTicket = false,
    bool LegacyErrorBody = false)
{
    public string Release => string.Join('.', PveVersion.Split('.').Take(2));
}
