using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nexus.Simulator.Tls;

/// <summary>
/// The cluster CA (pve-root-ca.pem) and one leaf per node (pve-ssl.pem), as pve-cluster's Setup.pm makes them:
/// CA valid 10 years from yesterday, node certificates 2 years, CN = node FQDN, SANs = IPs, localhost, names.
/// </summary>
internal sealed class ClusterPki
{
    private readonly X509Certificate2 _ca;
    private readonly RSA _caKey;
    private readonly IPAddress[] _addresses;
    private readonly string _domain;
    private readonly object _gate = new();
    private readonly Dictionary<string, NodeCertificate> _nodes = new(StringComparer.Ordinal);
    private int _keyCursor;

    public ClusterPki(int clusterIndex, string domain, IEnumerable<IPAddress> listenerAddresses)
    {
        _domain = domain;
        _addresses = listenerAddresses.Distinct().ToArray();
        _keyCursor = clusterIndex;
        _caKey = RsaKeyPool.Get(_keyCursor++);
        var subject = new X500DistinguishedName(
            $"CN=Proxmox Virtual Environment, OU={Guid.NewGuid()}, O=PVE Cluster Manager CA");
        var request = new CertificateRequest(subject, _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
        _ca = request.CreateSelfSigned(yesterday, yesterday.AddYears(10));
        CaPem = _ca.ExportCertificatePem() + "\n";
    }

    /// <summary>pve-root-ca.pem, also the <c>cert</c> field of vncproxy replies.</summary>
    public string CaPem { get; }

    public X509Certificate2 Ca => _ca;

    public NodeCertificate For(string node)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue(node, out var cert))
            {
                cert = Issue(node);
                _nodes[node] = cert;
            }
            return cert;
        }
    }

    /// <summary>Replaces the node's certificate (and key): what a renewal or a custom certificate does on a real node.</summary>
    public NodeCertificate Rotate(string node)
    {
        lock (_gate)
        {
            var cert = Issue(node);
            _nodes[node] = cert;
            return cert;
        }
    }

    private NodeCertificate Issue(string node)
    {
        var key = RsaKeyPool.Get(_keyCursor++);
        var fqdn = $"{node}.{_domain}";
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN={fqdn}, OU=PVE Cluster Node, O=Proxmox Virtual Environment"),
            key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var address in _addresses)
        {
            san.AddIpAddress(address);
        }
        san.AddDnsName("localhost");
        san.AddDnsName(node);
        san.AddDnsName(fqdn);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.NonRepudiation, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1")], false));
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var publicOnly = request.Create(_ca, notBefore, notBefore.AddYears(2), serial);
        var withKey = publicOnly.CopyWithPrivateKey(key);
        var context = SslStreamCertificateContext.Create(withKey, additionalCertificates: null, offline: true);
        var sans = _addresses.Select(a => a.ToString()).Concat(["localhost", node, fqdn]).ToArray();
        return new NodeCertificate(withKey, context, Fingerprint.Of(withKey), sans);
    }
}

/// <summary>One node's current TLS identity; replaced wholesale on rotation.</summary>
internal sealed record NodeCertificate(
    X509Certificate2 Certificate,
    SslStreamCertificateContext Context,
    string Fingerprint,
    IReadOnlyList<string> SubjectAlternativeNames);
