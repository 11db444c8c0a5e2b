using Microsoft.Extensions.Logging;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Timeouts;

namespace Nexus.Grains.Servers;

/// <summary>Builds a server's <see cref="ProxmoxConnection"/> with the process-wide client options.</summary>
public sealed class ServerConnectionFactory(ProxmoxClientOptions options, ILoggerFactory loggers, TimeProvider time)
{
    /// <param name="serverId">Labels the connection's metrics; null for one that is not a registered server's.</param>
    public ProxmoxConnection Create(ProxmoxServerConfig config, TimeoutBookSnapshot? timeouts, Guid? serverId = null)
    {
        var book = new TimeoutBook(options.TimeoutPolicies, time);
        if (timeouts is not null)
        {
            book.Restore(timeouts);
        }
        return new ProxmoxConnection(config, options, book, loggers.CreateLogger<ProxmoxConnection>(), time) { MetricsServerId = serverId?.ToString() };
    }
}
