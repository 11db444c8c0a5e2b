using Microsoft.AspNetCore.Http.HttpResults;
using Nexus.Data.Access;
using Nexus.Data.Audit;
using Nexus.Data.Metrics;
using Nexus.Data.Secrets;
using Nexus.Data.Servers;
using Nexus.Data.Tenants;
using Nexus.Grains.Authorization;
using Nexus.Host.Audit;
using Nexus.Host.Tenants;
using Nexus.Host.Web;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connectivity;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Tls;

namespace Nexus.Host.Servers;

internal sealed record TimingDto(double? DnsMs, double? TcpConnectMs, double? TlsHandshakeMs, double? FirstByteMs, double TotalMs);

internal sealed record CertificateDto(
    string Fingerprint, string Subject, string Issuer, IReadOnlyList<string> SubjectAlternativeNames,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Pem)
{
    public static CertificateDto? From(PresentedCertificate? c) =>
        c is null ? null : new(c.Fingerprint, c.Subject, c.Issuer, c.SubjectAlternativeNames, c.NotBefore, c.NotAfter, c.Pem);
}

/// <summary>
/// The connectivity test's answer: stage timings measured on the socket (null for a stage not reached), the
/// stage that failed (<c>dns</c>, <c>tcp</c>, <c>tls</c>, <c>http</c>, <c>auth</c>), the certificate the server
/// presented (its fingerprint is what to re-pin after a renewal), and the timeouts.
/// </summary>
internal sealed record ConnectivityDto(
    bool Success,
    string Endpoint,
    string ConnectionType,
    TimingDto Timing,
    string? ResolvedAddress,
    ConnectivityStage? FailedStage,
    string? Error,
    int? HttpStatus,
    string? ProxmoxVersion,
    int? NodeCount,
    CertificateDto? Certificate,
    double RecommendedTimeoutMs,
    double CurrentTimeoutMs,
    int LatencySamples);

internal sealed record ProbeCertificateRequest(string? Host, int? Port, Guid? TenantId);

internal sealed record ProbeCertificateDto(string Host, int Port, CertificateDto Leaf, CertificateDto? Root, IReadOnlyList<CertificateDto> Chain, bool TrustedBySystem, string SystemTrustErrors);

/// <summary>
/// <c>POST /api/servers/{serverId}/test</c> (the stored configuration, as the grain would connect) and
/// <c>POST /api/servers/probe-certificate</c> (what a host presents, so a person can pin it, as PDM does).
/// Both are for those who may add or edit servers.
/// </summary>
internal static class ServerTestEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapServerTestEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/servers").WithTags("Servers").RequireAuthorization();
        group.MapPost("/{serverId:guid}/test", TestAsync);
        group.MapPost("/probe-certificate", ProbeAsync);
        return endpoints;
    }

    /// <summary><c>?endpoint=secondary</c> tests the secondary (Tailscale) path instead of the primary.</summary>
    private static async Task<Results<Ok<ConnectivityDto>, ProblemHttpResult>> TestAsync(
        Guid serverId, string? endpoint, CurrentUser caller, HttpContext context, INexusDatabase database, ServerAccess access,
        TenantSettingsStore settings, ServerRuntime runtime, AuditLog audit, ConnectionMetricsStore metrics, CancellationToken ct)
    {
        var (stored, timeout, denied) = await database.AsUserAsync(caller.Id, async session =>
        {
            var (server, denied) = await access.CheckAsync(session, caller, serverId, TenantAction.UpdateServer);
            if (denied is not null)
            {
                return ((ServerWithCredential?)null, TimeSpan.Zero, (ProblemHttpResult?)denied);
            }
            var tenantSettings = await settings.GetAsync(session, server!.Server.TenantId);
            return ((ServerWithCredential?)server, ServerRuntime.ConnectionTimeout(server.Server, tenantSettings), (ProblemHttpResult?)null);
        }, ct);
        if (denied is not null)
        {
            return denied;
        }
        ProxmoxServerConfig config;
        try
        {
            config = runtime.ToProxmox(stored!);
        }
        catch (CredentialUnavailableException ex)
        {
            return Problems.Conflict($"{ex.Message} Enter the server's API token again.");
        }
        ProxmoxEndpoint target;
        switch (endpoint?.ToLowerInvariant())
        {
            case null or "" or "primary":
                target = config.Primary;
                break;
            case "secondary" when config.Secondary is not null:
                target = config.Secondary;
                break;
            case "secondary":
                return Problems.BadRequest("The server has no secondary endpoint.");
            default:
                return Problems.BadRequest("endpoint: either 'primary' or 'secondary'.");
        }

        var report = await ConnectivityTester.TestAsync(config, target, timeout, null, ct);
        var server = stored!.Server;
        var result = new ConnectivityDto(
            report.Success, report.Endpoint.ToString(), report.IsSecondary ? "secondary" : "primary",
            new TimingDto(Ms(report.Timings.Dns), Ms(report.Timings.TcpConnect), Ms(report.Timings.TlsHandshake), Ms(report.Timings.FirstByte), report.Timings.Total.TotalMilliseconds),
            report.ResolvedAddress?.ToString(), report.FailedStage, report.Error, report.HttpStatus, report.ProxmoxVersion, report.NodeCount,
            CertificateDto.From(report.Certificate), report.RecommendedTimeout.TotalMilliseconds, timeout.TotalMilliseconds, report.LatencySamples);
        // Every probe is a connection sample (seed F29); metrics are written by the background role only.
        await database.AsSystemAsync(async session =>
        {
            await metrics.RecordAsync(session, new ConnectionSample(server.Id, server.TenantId, DateTimeOffset.UtcNow, MetricKind.Probe,
                report.Success, report.Success ? report.Timings.Total.TotalMilliseconds : null, result.ConnectionType, report.Error));
            return 0;
        }, ct);
        await database.AsUserAsync(caller.Id, async session =>
        {
            await audit.WriteAsync(session, AuditEntries.Create(server.TenantId, caller.Id, ServerAudit.Tested, ServerAudit.Target,
                server.Id.ToString(), server.Name, report.Success ? AuditOutcome.Success : AuditOutcome.Failure,
                new { endpoint = result.Endpoint, result.ConnectionType, result.FailedStage, totalMs = Math.Round(result.Timing.TotalMs, 1), result.ProxmoxVersion },
                ClientInfo.From(context)));
            return 0;
        }, ct);
        return TypedResults.Ok(result);
    }

    /// <summary>
    /// A TLS handshake that records whatever the host presents and sends nothing else. Allowed to global admins
    /// and to admins and managers (of <c>tenantId</c> when given, else of any tenant).
    /// </summary>
    private static async Task<Results<Ok<ProbeCertificateDto>, ValidationProblem, ProblemHttpResult>> ProbeAsync(
        ProbeCertificateRequest request, CurrentUser caller, HttpContext context, INexusDatabase database, TenantGate gate,
        MembershipStore memberships, AuditLog audit, CancellationToken ct)
    {
        var denied = await database.AsUserAsync(caller.Id, async session =>
        {
            if (request.TenantId is { } tenantId)
            {
                return (await gate.CheckAsync(session, caller, tenantId, TenantAction.AddServer)).Denied;
            }
            if (caller.IsGlobalAdmin
                || (await memberships.ListForUserAsync(session, caller.Id)).Any(m => m.TenantIsActive && PermissionPolicy.Decide(caller.Role, m.Role, TenantAction.AddServer) == AccessDecision.Allowed))
            {
                return null;
            }
            return Problems.Forbidden("Probing certificates is for those who may add servers.");
        }, ct);
        if (denied is not null)
        {
            return denied;
        }
        var errors = new FieldErrors();
        var host = request.Host is null ? null : ServerInput.NormalizeHost(request.Host);
        if (errors.Check(!string.IsNullOrEmpty(host), "host", "A host name or IP address is required."))
        {
            errors.Check(ServerInput.IsHost(host!), "host", "Not a host name or IP address.");
        }
        var port = request.Port ?? ServerInput.DefaultPort;
        errors.Range(port, 1, 65535, "port");
        if (errors.Any)
        {
            return errors.ToResult();
        }

        CertificateProbeResult probe;
        try
        {
            probe = await CertificateProbe.ProbeAsync(new ProxmoxEndpoint(host!, port), ProbeTimeout, ct);
        }
        catch (ProxmoxUnreachableException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "No TLS handshake", detail: ex.Message);
        }
        await database.AsUserAsync(caller.Id, async session =>
        {
            await audit.WriteAsync(session, AuditEntries.Create(request.TenantId, caller.Id, ServerAudit.CertificateProbed, ServerAudit.Target,
                null, $"{host}:{port}", AuditOutcome.Success, new { host, port, fingerprint = probe.Leaf.Fingerprint }, ClientInfo.From(context)));
            return 0;
        }, ct);
        return TypedResults.Ok(new ProbeCertificateDto(host!, port, CertificateDto.From(probe.Leaf)!, CertificateDto.From(probe.Root),
            probe.Chain.Select(c => CertificateDto.From(c)!).ToList(), probe.SystemTrustErrors == System.Net.Security.SslPolicyErrors.None,
            probe.SystemTrustErrors.ToString()));
    }

    private static double? Ms(TimeSpan? value) => value?.TotalMilliseconds;
}
