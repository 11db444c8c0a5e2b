using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Nexus.Simulator.Api;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;

namespace Nexus.Simulator.Faults;

/// <summary>Applies a listener's and its cluster's faults: at the connection (hang) and per request.</summary>
internal static class FaultMiddleware
{
    /// <summary>Kestrel connection middleware, placed before TLS so a hang means not even a handshake.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> ForConnections(SimulatedListener listener) => next => async connection =>
    {
        listener.Track(connection);
        try
        {
            if (listener.Hanging)
            {
                await DrainUntilClosedAsync(connection.Transport.Input, connection.ConnectionClosed);
                return;
            }
            await next(connection);
        }
        finally
        {
            listener.Untrack(connection);
        }
    };

    public static async Task ApplyAsync(HttpContext context, SimulatedCluster cluster, SimulatedListener listener, Func<Task> next)
    {
        var own = listener.Faults.Settings;
        var shared = cluster.Faults.Settings;
        if (ReferenceEquals(own, FaultSettings.None) && ReferenceEquals(shared, FaultSettings.None))
        {
            await next();
            return;
        }
        if (own.Hang || shared.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
            context.Abort();
            return;
        }
        var delay = own.SampleLatency(Random.Shared) + shared.SampleLatency(Random.Shared);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        var failWith = Random.Shared.NextDouble() < own.ErrorRate ? own.ErrorStatusCode
            : Random.Shared.NextDouble() < shared.ErrorRate ? shared.ErrorStatusCode
            : 0;
        if (failWith != 0)
        {
            var phrase = ReasonPhrases.GetReasonPhrase(failWith);
            await ApiResponses.WriteErrorAsync(context,
                new ApiException(failWith, phrase.Length > 0 ? phrase : "simulated fault"), cluster.Profile.LegacyErrorBody);
            return;
        }
        var rate = new[] { own.SlowResponseBytesPerSecond, shared.SlowResponseBytesPerSecond }.Where(r => r > 0).DefaultIfEmpty(0).Min();
        if (rate > 0)
        {
            context.Response.Body = new ThrottledStream(context.Response.Body, rate);
        }
        await next();
    }

    private static async Task DrainUntilClosedAsync(PipeReader input, CancellationToken closed)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(closed);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or ConnectionAbortedException or IOException)
        {
        }
    }
}
