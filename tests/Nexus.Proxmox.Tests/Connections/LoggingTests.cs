using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Tests.Support;
using Nexus.Simulator.Faults;

namespace Nexus.Proxmox.Tests.Connections;

public sealed class LoggingTests : PerTestSimulator
{
    [Fact]
    public async Task Failover_and_tls_refusals_are_logged_with_structured_endpoints_and_never_the_token_secret()
    {
        var logger = new CapturingLogger<ProxmoxConnection>();
        var secret = Cluster.RootToken.Secret;
        using (var client = new ProxmoxConnection(Simulated.Config(Cluster), Simulated.FastOptions, logger: logger))
        {
            Cluster.Primary.Faults.Set(new FaultSettings { RefuseConnections = true });
            await client.GetVersionAsync();
        }
        Cluster.Primary.Faults.Clear();
        var wrongPin = ProxmoxTrust.Pinned(string.Join(':', Enumerable.Repeat("CD", 32)));
        using (var client = new ProxmoxConnection(Simulated.Config(Cluster, wrongPin), Simulated.FastOptions, logger: logger))
        {
            await Assert.ThrowsAsync<ProxmoxTlsException>(() => client.GetVersionAsync());
        }

        var entries = logger.Entries.ToArray();
        Assert.Contains(entries, e => e.Values.TryGetValue("To", out var to) && Equals(to, Simulated.SecondaryOf(Cluster).ToString()));
        Assert.Contains(entries, e => e.Values.TryGetValue("Endpoint", out var ep) && Equals(ep, Simulated.PrimaryOf(Cluster).ToString())
            && e.Message.Contains("refused", StringComparison.Ordinal));
        Assert.All(entries, e => Assert.Equal(Cluster.Name, e.Values["Server"]));
        Assert.All(entries, e => Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal));
    }
}
