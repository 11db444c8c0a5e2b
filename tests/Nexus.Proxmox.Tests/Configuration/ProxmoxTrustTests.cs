using Nexus.Proxmox.Configuration;

namespace Nexus.Proxmox.Tests.Configuration;

public class ProxmoxTrustTests
{
    private const string Upper = "80:D4:F2:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:69:F5";

    [Fact]
    public void Pins_are_normalized_to_uppercase_colon_hex()
    {
        var pinned = (PinnedFingerprints)ProxmoxTrust.Pinned(Upper.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant());

        Assert.Equal([Upper], pinned.Fingerprints);
    }

    [Theory]
    [InlineData("AB:CD")]
    [InlineData("not a fingerprint at all, certainly not sixty-four hex digits long!!")]
    public void A_pin_that_is_not_a_sha256_fingerprint_is_refused(string pin)
    {
        Assert.Throws<FormatException>(() => ProxmoxTrust.Pinned(pin));
    }

    [Fact]
    public void Pinning_needs_at_least_one_fingerprint()
    {
        Assert.Throws<ArgumentException>(() => ProxmoxTrust.Pinned());
    }

    [Fact]
    public void A_ca_without_a_certificate_is_refused_at_configuration_time()
    {
        Assert.Throws<ArgumentException>(() => ProxmoxTrust.ClusterCa("-----BEGIN NOTHING-----\n-----END NOTHING-----"));
    }

    [Fact]
    public void Endpoints_print_ipv6_in_brackets_and_build_the_api_uri()
    {
        Assert.Equal("[::1]:8006", new ProxmoxEndpoint("::1").ToString());
        Assert.Equal(new Uri("https://[::1]:8006/api2/json/"), new ProxmoxEndpoint("[::1]").ApiBaseUri);
        Assert.Equal(new Uri("https://pve1.example:8443/api2/json/"), new ProxmoxEndpoint("pve1.example", 8443).ApiBaseUri);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProxmoxEndpoint("pve", 0));
    }
}
