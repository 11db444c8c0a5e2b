using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Nexus.Simulator.Tests.Support;

internal static class Tls
{
    /// <summary>Connects with raw TCP + TLS and returns the certificate the server presented.</summary>
    public static async Task<X509Certificate2> PresentedCertificateAsync(IPEndPoint endPoint)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        return new X509Certificate2(tls.RemoteCertificate!);
    }
}
