using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Tests.Support;
using Nexus.Proxmox.Tls;

namespace Nexus.Proxmox.Tests.Tls;

public sealed class TlsTrustTests : PerTestSimulator
{
    [Fact]
    public async Task A_pinned_fingerprint_that_matches_is_trusted()
    {
        using var client = Simulated.Connect(Cluster, Simulated.PinOf(Cluster));

        var version = await client.GetVersionAsync();

        Assert.Equal("9.2.11", version.Value.Version);
    }

    [Fact]
    public async Task After_a_certificate_rotation_the_old_pin_is_refused_with_the_new_fingerprint_and_a_re_pin_works()
    {
        var oldPin = Simulated.PinOf(Cluster);
        var newFingerprint = Cluster.RotateCertificate(Cluster.Primary.Node);
        using var client = Simulated.Connect(Cluster, oldPin, secondary: false);

        var refused = await Assert.ThrowsAsync<ProxmoxTlsException>(() => client.GetVersionAsync());
        Assert.Equal(newFingerprint, refused.PresentedFingerprint);
        Assert.Contains("matches no pinned fingerprint", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(Simulated.PrimaryOf(Cluster), refused.Endpoint);
        Assert.Contains("PVE Cluster Node", refused.Presented!.Subject, StringComparison.Ordinal);

        client.UpdateTrust(ProxmoxTrust.Pinned(refused.PresentedFingerprint!));
        var version = await client.GetVersionAsync();

        Assert.Equal("9.2.11", version.Value.Version);
    }

    [Fact]
    public async Task A_refused_certificate_on_the_primary_does_not_fall_back_to_the_secondary()
    {
        var wrongPin = ProxmoxTrust.Pinned(string.Join(':', Enumerable.Repeat("AB", 32)));
        using var client = Simulated.Connect(Cluster, wrongPin, secondary: true);

        await Assert.ThrowsAsync<ProxmoxTlsException>(() => client.GetVersionAsync());

        Assert.False(client.IsOnSecondary);
    }

    [Fact]
    public async Task The_cluster_ca_is_trusted_as_a_custom_root()
    {
        using var client = Simulated.Connect(Cluster, ProxmoxTrust.ClusterCa(Cluster.CaCertificatePem));

        var nodes = await client.GetNodesAsync();

        Assert.Equal(2, nodes.Value.Count);
    }

    [Fact]
    public async Task The_cluster_ca_trust_survives_a_leaf_rotation_because_the_new_leaf_chains_to_the_same_ca()
    {
        Cluster.RotateCertificate(Cluster.Primary.Node);
        using var client = Simulated.Connect(Cluster, ProxmoxTrust.ClusterCa(Cluster.CaCertificatePem));

        var version = await client.GetVersionAsync();

        Assert.Equal("9.2.11", version.Value.Version);
    }

    [Fact]
    public async Task Another_ca_is_refused()
    {
        using var otherCaKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=Some Other CA", otherCaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var otherCa = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var client = Simulated.Connect(Cluster, ProxmoxTrust.ClusterCa(otherCa.ExportCertificatePem()), secondary: false);

        var refused = await Assert.ThrowsAsync<ProxmoxTlsException>(() => client.GetVersionAsync());

        Assert.Contains("cluster CA", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(Cluster.Fingerprint(Cluster.Primary.Node), refused.PresentedFingerprint);
    }

    [Fact]
    public async Task The_system_store_does_not_silently_accept_a_self_signed_proxmox_certificate()
    {
        using var client = Simulated.Connect(Cluster, ProxmoxTrust.SystemStore, secondary: false);

        var refused = await Assert.ThrowsAsync<ProxmoxTlsException>(() => client.GetVersionAsync());

        Assert.Contains("system store", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_probe_returns_what_the_server_presents_so_a_person_can_pin_it()
    {
        var endpoint = Simulated.PrimaryOf(Cluster);

        var probe = await CertificateProbe.ProbeAsync(endpoint.Host, endpoint.Port, CancellationToken.None);

        Assert.Equal(Cluster.Fingerprint(Cluster.Primary.Node), probe.Leaf.Fingerprint);
        Assert.Contains("OU=PVE Cluster Node", probe.Leaf.Subject, StringComparison.Ordinal);
        Assert.Contains("PVE Cluster Manager CA", probe.Leaf.Issuer, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", probe.Leaf.SubjectAlternativeNames);
        Assert.Contains(Cluster.Primary.Node, probe.Leaf.SubjectAlternativeNames);
        Assert.True(probe.Leaf.NotBefore < DateTimeOffset.UtcNow && probe.Leaf.NotAfter > DateTimeOffset.UtcNow.AddYears(1));
        Assert.NotEqual(System.Net.Security.SslPolicyErrors.None, probe.SystemTrustErrors);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", probe.Leaf.Pem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_probe_of_a_closed_port_says_unreachable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = await Assert.ThrowsAsync<ProxmoxUnreachableException>(
            () => CertificateProbe.ProbeAsync("127.0.0.1", port, CancellationToken.None));

        Assert.Equal(UnreachableReason.Refused, error.Reason);
    }
}
