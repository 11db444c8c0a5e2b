using System.Diagnostics;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Errors;
using Nexus.Proxmox.Telemetry;

namespace Nexus.Proxmox.Connections;

/// <summary>The connection's side of <see cref="ProxmoxMetrics"/>: its server's label and the per-endpoint measurement.</summary>
public sealed partial class ProxmoxConnection
{
    /// <summary>
    /// The server's id as metrics label it (the grain's key). Not <see cref="ProxmoxServerConfig.Name"/>: a name is
    /// tenant-typed text and changes on rename. Null labels the connection <c>unknown</c>.
    /// </summary>
    public string? MetricsServerId { get; init; }

    /// <summary>Sends on one endpoint and records how long it took and how it ended, whatever the way out.</summary>
    private async Task<RawResponse> SendMeasuredAsync(EndpointChannel channel, ProxmoxRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = RequestOutcome.Error;
        try
        {
            var response = await channel.SendAsync(request, cancellationToken).ConfigureAwait(false);
            outcome = response.IsSuccess ? RequestOutcome.Success : RequestOutcome.HttpError;
            return response;
        }
        catch (ProxmoxUnreachableException ex)
        {
            outcome = ex.Reason switch
            {
                UnreachableReason.Timeout => RequestOutcome.Timeout,
                UnreachableReason.CircuitOpen => RequestOutcome.CircuitOpen,
                _ => RequestOutcome.Unreachable,
            };
            throw;
        }
        catch (ProxmoxTlsException)
        {
            outcome = RequestOutcome.TlsRefused;
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = RequestOutcome.Cancelled;
            throw;
        }
        finally
        {
            ProxmoxMetrics.RecordRequest(MetricsServerId ?? ProxmoxMetrics.UnknownServer, ReferenceEquals(channel, _primary),
                request.RequestClass, outcome, Stopwatch.GetElapsedTime(started));
        }
    }
}
