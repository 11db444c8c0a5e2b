namespace Nexus.Grains.Consoles;

/// <summary>
/// Console settings of the installation (<c>Nexus:Consoles</c>), validated at start-up. The per-tenant limits
/// (<c>console_max_sessions_per_tenant</c>, <c>console_idle_timeout_seconds</c>, <c>console_max_duration_seconds</c>)
/// live in the tenant's settings; these are the installation's.
/// </summary>
public sealed class ConsoleOptions
{
    public const string Section = "Nexus:Consoles";

    /// <summary>Proxmox hands out VNC ports 5900–5999: at most 100 consoles per node (console-relay.md P6).</summary>
    public const int ProxmoxPortsPerNode = 100;

    /// <summary>Concurrent sessions one user may hold, across tenants.</summary>
    public int MaxSessionsPerUser { get; set; } = 5;

    /// <summary>Concurrent sessions per Proxmox node (Nexus's share of its 100 VNC ports).</summary>
    public int MaxSessionsPerNode { get; set; } = ProxmoxPortsPerNode;

    /// <summary>How long a connect token is valid after the open.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a pump silo reports each of its sessions to their grains.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A session whose pump has not reported for this long is closed as "relay lost".</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An installation-wide ceiling on the tenants' idle timeout (null: the tenant's value stands).</summary>
    public TimeSpan? IdleTimeoutLimit { get; set; }

    /// <summary>An installation-wide ceiling on the tenants' maximum session duration (null: the tenant's value stands).</summary>
    public TimeSpan? MaxDurationLimit { get; set; }

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>) allowed to open a console socket besides the host's own origin (the
    /// authority in the request's Host header, which a page cannot forge). In the Development environment any loopback
    /// origin is allowed too (the web client's dev server on another port).
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Whether a connect request without an Origin header (not a browser: browsers always send one on a WebSocket)
    /// is accepted. Off by default: such a client still needs the one-time token, but nothing needs it in the default
    /// run, and an operator who scripts consoles turns it on knowingly.
    /// </summary>
    public bool AllowMissingOrigin { get; set; }

    /// <summary>How long a lease lives without renewal (the session renews it every third of this).</summary>
    internal TimeSpan LeaseLifetime => TimeSpan.FromTicks(Math.Max(HeartbeatTimeout.Ticks * 2, TokenLifetime.Ticks * 2));

    /// <summary>How often a session's grain checks its token expiry and its pump's heartbeats.</summary>
    internal TimeSpan CheckPeriod => TimeSpan.FromTicks(Math.Clamp(
        Math.Min(TokenLifetime.Ticks, HeartbeatTimeout.Ticks) / 3, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>Throws <see cref="ArgumentException"/> for settings that cannot work.</summary>
    public void Validate()
    {
        if (MaxSessionsPerUser < 1)
        {
            throw new ArgumentException("MaxSessionsPerUser must be at least 1.", nameof(MaxSessionsPerUser));
        }
        if (MaxSessionsPerNode is < 1 or > ProxmoxPortsPerNode)
        {
            throw new ArgumentException($"MaxSessionsPerNode must be 1…{ProxmoxPortsPerNode} (Proxmox's VNC ports per node).", nameof(MaxSessionsPerNode));
        }
        if (TokenLifetime < TimeSpan.FromSeconds(1) || TokenLifetime > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException("TokenLifetime must be 1 s … 5 min.", nameof(TokenLifetime));
        }
        if (HeartbeatInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentException("HeartbeatInterval must be at least 100 ms.", nameof(HeartbeatInterval));
        }
        if (HeartbeatTimeout < HeartbeatInterval * 2)
        {
            throw new ArgumentException("HeartbeatTimeout must be at least twice HeartbeatInterval (one lost heartbeat is not a lost relay).", nameof(HeartbeatTimeout));
        }
        if (IdleTimeoutLimit <= TimeSpan.Zero || MaxDurationLimit <= TimeSpan.Zero)
        {
            throw new ArgumentException("IdleTimeoutLimit and MaxDurationLimit must be positive when set.");
        }
        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
            {
                throw new ArgumentException($"AllowedOrigins: '{origin}' is not an origin (scheme://host[:port]).", nameof(AllowedOrigins));
            }
        }
    }

    /// <summary>The tenant's value under the installation's ceiling.</summary>
    public static TimeSpan Capped(TimeSpan tenantValue, TimeSpan? limit) => limit is { } l && l < tenantValue ? l : tenantValue;
}
