using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Errors;

namespace Nexus.Proxmox.Tls;

/// <summary>What a server presented during a probe handshake.</summary>
/// <param name="Endpoint">The endpoint probed.</param>
/// <param name="Leaf">The server's own certificate: its <see cref="PresentedCertificate.Fingerprint"/> is what gets pinned.</param>
/// <param name="Root">The chain's self-signed root, when the server sent it or the system could build to it.</param>
/// <param name="Chain">Every certificate the chain holds, leaf first.</param>
/// <param name="SystemTrustErrors">What the system trust store thinks of it (None for a public certificate).</param>
public sealed record CertificateProbeResult(
    ProxmoxEndpoint Endpoint,
    PresentedCertificate Leaf,
    PresentedCertificate? Root,
    IReadOnlyList<PresentedCertificate> Chain,
    SslPolicyErrors SystemTrustErrors);

/// <summary>
/// "Check certificate" as Proxmox Datacenter Manager does it: a TLS handshake that records and accepts whatever
/// the server presents, then closes. It sends no credentials and no request, and its connection is never used
/// for API calls, so accepting here cannot leak anything.
/// </summary>
public static class CertificateProbe
{
    public static async Task<CertificateProbeResult> ProbeAsync(string host, int port, CancellationToken cancellationToken)
        => await ProbeAsync(new ProxmoxEndpoint(host, port), TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);

    public static async Task<CertificateProbeResult> ProbeAsync(ProxmoxEndpoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        CertificateProbeResult? result = null;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeoutSource.Token).ConfigureAwait(false);
            await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = endpoint.Host,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (certificate is not null)
                    {
                        result = Record(endpoint, certificate, chain, errors);
                    }
                    return true;
                },
            }, timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProxmoxUnreachableException(endpoint, UnreachableReason.Timeout,
                $"No TLS handshake with {endpoint} within {timeout.TotalSeconds:0.#} s.", null);
        }
        catch (Exception ex) when (result is null && ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            throw ProxmoxUnreachableException.FromTransport(endpoint, ex);
        }
        return result ?? throw new ProxmoxUnreachableException(endpoint, UnreachableReason.Other,
            $"{endpoint} completed no TLS handshake.", null);
    }

    private static CertificateProbeResult Record(ProxmoxEndpoint endpoint, X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var leaf = PresentedCertificate.From(certificate);
        var elements = new List<PresentedCertificate> { leaf };
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                elements.Add(PresentedCertificate.From(element.Certificate));
            }
            foreach (var extra in chain.ChainPolicy.ExtraStore)
            {
                if (elements.All(e => e.Fingerprint != CertificateFingerprint.Of(extra)))
                {
                    elements.Add(PresentedCertificate.From(extra));
                }
            }
        }
        var root = elements.Skip(1).FirstOrDefault(e => e.IsSelfSigned);
        return new CertificateProbeResult(endpoint, leaf, root, elements, errors);
    }
}
