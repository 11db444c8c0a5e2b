using System.Net;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Tls;

namespace Nexus.Proxmox.Connectivity;

/// <summary>The stage a connectivity test failed in.</summary>
public enum ConnectivityStage
{
    Dns,
    Tcp,
    Tls,
    Http,
    Auth,
}

/// <summary>Stage durations measured on the socket; null for a stage not reached. DNS is zero for an IP literal.</summary>
/// <param name="Dns">Name resolution.</param>
/// <param name="TcpConnect">TCP three-way handshake.</param>
/// <param name="TlsHandshake">TLS handshake including the certificate check.</param>
/// <param name="FirstByte">From writing <c>GET /api2/json/version</c> to the first response byte.</param>
/// <param name="Total">From the start to the complete <c>/version</c> response (or to the failure).</param>
public sealed record ConnectivityTimings(TimeSpan? Dns, TimeSpan? TcpConnect, TimeSpan? TlsHandshake, TimeSpan? FirstByte, TimeSpan Total);

/// <summary>The outcome of <see cref="ConnectivityTester.TestAsync(ProxmoxServerConfig, CancellationToken)"/> for one endpoint.</summary>
public sealed record ConnectivityReport(
    ProxmoxEndpoint Endpoint,
    bool IsSecondary,
    bool Success,
    ConnectivityTimings Timings,
    IPAddress? ResolvedAddress,
    ConnectivityStage? FailedStage,
    string? Error,
    int? HttpStatus,
    string? ProxmoxVersion,
    int? NodeCount,
    PresentedCertificate? Certificate,
    TimeSpan RecommendedTimeout,
    int LatencySamples);
