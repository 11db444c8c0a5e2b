namespace Nexus.Simulator.Access;

/// <summary>
/// An API token of a simulated cluster. <see cref="Privileges"/> are the token's effective privileges
/// (privsep=1 intersection already applied) on every path; <see cref="Vmids"/>, when set, limits the
/// <c>/vms/…</c> privileges to those guests (an ACL on a pool or on single guests).
/// </summary>
public sealed record SimulatedToken(
    string UserId,
    string TokenName,
    string Secret,
    IReadOnlySet<string> Privileges,
    IReadOnlySet<int>? Vmids = null)
{
    /// <summary><c>user@realm!tokenid</c>, the principal shown in UPIDs and in vncproxy's <c>user</c>.</summary>
    public string FullTokenId => $"{UserId}!{TokenName}";

    /// <summary><c>user@realm!tokenid=secret</c>.</summary>
    public string Value => $"{FullTokenId}={Secret}";

    /// <summary>The <c>Authorization</c> header value: <c>PVEAPIToken=user@realm!tokenid=secret</c>.</summary>
    public string AuthorizationHeader => $"PVEAPIToken={Value}";
}

/// <summary>A user that can log in with <c>POST /access/ticket</c>.</summary>
public sealed record SimulatedUser(
    string UserId,
    string Password,
    IReadOnlySet<string> Privileges,
    IReadOnlySet<int>? Vmids = null,
    bool Enabled = true);
