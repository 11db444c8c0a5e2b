using Nexus.Relay.Policy;

namespace Nexus.Relay.Hosting;

/// <summary>Relay settings of a silo (one instance, validated at start-up).</summary>
public sealed class ConsoleRelayOptions
{
    /// <summary>pveproxy kills a connection on a frame above 128 KiB (pve-http-server <c>$max_payload_size</c>).</summary>
    public const int ProxmoxMaxFrame = 128 * 1024;

    /// <summary>Bytes rented per read (each direction, only while data is in flight). 4 KiB … 128 KiB minus filter headroom.</summary>
    public int ChunkSize { get; set; } = 64 * 1024;

    /// <summary>A browser WebSocket message above this closes the session with 1009 (noVNC sends ≤ 10 KiB).</summary>
    public int MaxBrowserMessageSize { get; set; } = 256 * 1024;

    /// <summary>Opening Proxmox plus both RFB handshakes must finish within this.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a closing leg may take (a slow reader, a missing Close echo) before it is aborted.</summary>
    public TimeSpan CloseGracePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Ping toward the browser (also keeps middlebox idle timers open).</summary>
    public TimeSpan BrowserKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A browser that does not answer a ping within this is aborted. Zero: unsolicited pongs only.</summary>
    public TimeSpan BrowserKeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Throws <see cref="ArgumentException"/> for settings that cannot work.</summary>
    public void Validate()
    {
        if (ChunkSize < 4096 || ChunkSize + ClientMessageFilter.Headroom > ProxmoxMaxFrame)
        {
            throw new ArgumentException(
                $"ChunkSize must be 4096…{ProxmoxMaxFrame - ClientMessageFilter.Headroom}: a frame toward Proxmox is at most 128 KiB.", nameof(ChunkSize));
        }
        if (MaxBrowserMessageSize < 1024)
        {
            throw new ArgumentException("MaxBrowserMessageSize must be at least 1024.", nameof(MaxBrowserMessageSize));
        }
        if (HandshakeTimeout <= TimeSpan.Zero || CloseGracePeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException("HandshakeTimeout and CloseGracePeriod must be positive.");
        }
        if (BrowserKeepAliveInterval < TimeSpan.Zero || BrowserKeepAliveTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("Keep-alive settings must not be negative.");
        }
    }
}
