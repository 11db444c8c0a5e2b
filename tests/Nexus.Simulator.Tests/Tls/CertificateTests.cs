using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.Tls;

public sealed class CertificateTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private static string Sha256(X509Certificate2 certificate) =>
        string.Join(':', SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2")));

    [Fact]
    public async Task Both_listeners_present_the_node_certificate_whose_fingerprint_nodes_publishes()
    {
        using var client = fixture.Client();
        var nodes = (await Pve.GetDataAsync(client, "nodes", fixture.RootToken))!.AsArray();
        var published = nodes.Single(n => n!["node"]!.GetValue<string>() == fixture.Cluster.Primary.Node)!["ssl_fingerprint"]!.GetValue<string>();
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", published);
        foreach (var listener in fixture.Cluster.Listeners)
        {
            using var presented = await Support.Tls.PresentedCertificateAsync(listener.EndPoint);
            Assert.Equal(published, Sha256(presented));
        }
    }

    [Fact]
    public async Task The_node_certificate_chains_to_the_cluster_ca_from_certificates_info()
    {
        using var client = fixture.Client();
        var node = fixture.Cluster.Primary.Node;
        var infos = (await Pve.GetDataAsync(client, $"nodes/{node}/certificates/info", fixture.RootToken))!.AsArray();
        var ca = X509Certificate2.CreateFromPem(infos.Single(i => i!["filename"]!.GetValue<string>() == "pve-root-ca.pem")!["pem"]!.GetValue<string>());
        var leafInfo = infos.Single(i => i!["filename"]!.GetValue<string>() == "pve-ssl.pem")!;
        Assert.Contains("127.0.0.1", leafInfo["san"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("rsaEncryption", leafInfo["public-key-type"]!.GetValue<string>());

        using var presented = await Support.Tls.PresentedCertificateAsync(fixture.Cluster.Primary.EndPoint);
        Assert.Equal(leafInfo["fingerprint"]!.GetValue<string>(), Sha256(presented));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(presented), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    public async Task Rotating_a_node_certificate_breaks_the_old_pin_and_publishes_the_new_fingerprint()
    {
        var node = fixture.Cluster.Primary.Node;
        var oldPin = fixture.Cluster.Fingerprint(node);
        using (var pinned = Pve.Client(fixture.Cluster.PrimaryUrl, oldPin))
        {
            Assert.NotNull(await Pve.GetDataAsync(pinned, "version", fixture.RootToken));
        }

        var newPin = fixture.Cluster.RotateCertificate(node);
        Assert.NotEqual(oldPin, newPin);

        using (var stale = Pve.Client(fixture.Cluster.PrimaryUrl, oldPin))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => Pve.GetAsync(stale, "version", fixture.RootToken));
        }
        using var fresh = Pve.Client(fixture.Cluster.PrimaryUrl, newPin);
        var nodes = (await Pve.GetDataAsync(fresh, "nodes", fixture.RootToken))!.AsArray();
        Assert.Equal(newPin, nodes.Single(n => n!["node"]!.GetValue<string>() == node)!["ssl_fingerprint"]!.GetValue<string>());
        var infos = (await Pve.GetDataAsync(fresh, $"nodes/{node}/certificates/info", fixture.RootToken))!.AsArray();
        Assert.Equal(newPin, infos.Single(i => i!["filename"]!.GetValue<string>() == "pve-ssl.pem")!["fingerprint"]!.GetValue<string>());
    }
}
