using System.Globalization;
using Nexus.Contracts.Consoles;
using Nexus.Contracts.Identity;
using Nexus.Grains.Authorization;
using Nexus.Grains.Consoles;
using Nexus.Host.Live;
using Nexus.Host.Web;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Connections;
using Nexus.Proxmox.Errors;
using Nexus.Relay.Closing;
using Nexus.Relay.Hosting;
using Nexus.Relay.Policy;
using Nexus.Relay.Pumping;
using Nexus.Relay.Registry;
using Nexus.Relay.Upstream;

namespace Nexus.Host.Consoles;

/// <summary>
/// <c>WS /api/consoles/{sessionId}/ws</c>: this silo claims the session from its grain with the one-time token and
/// becomes its pump. Mapped with <c>Map</c> (every method): HTTP/2 WebSockets arrive as CONNECT (RFC 8441).
/// Refusals after the upgrade are close frames (4001, 4003, 4029), so the page can tell them apart; before the
/// upgrade only a foreign origin (403) and a request that is not a WebSocket (400).
/// </summary>
internal static partial class ConsoleSocketEndpoint
{
    public const string Pattern = "/api/consoles/{sessionId:guid}/ws";

    public static IEndpointConventionBuilder MapConsoleSocket(this IEndpointRouteBuilder endpoints)
    {
        var pipeline = endpoints.CreateApplicationBuilder();
        // Its own WebSocket middleware, as SignalR does: the origin rule is ours (ConsoleOrigins), keep-alive the relay's.
        pipeline.UseWebSockets();
        pipeline.Run(ServeAsync);
        return endpoints.Map(Pattern, pipeline.Build()).WithTags("Consoles").ExcludeFromDescription();
    }

    private static async Task ServeAsync(HttpContext http)
    {
        var services = http.RequestServices;
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
                detail: "This address takes a WebSocket (console) connection only.").ExecuteAsync(http);
            return;
        }
        if (!services.GetRequiredService<ConsoleOrigins>().Allows(http.Request))
        {
            await Problems.Forbidden("This origin may not open consoles.").ExecuteAsync(http);
            return;
        }
        var sessionId = Guid.Parse((string)http.GetRouteValue("sessionId")!, CultureInfo.InvariantCulture);
        var relay = services.GetRequiredService<PumpRegistry>();
        var agent = services.GetRequiredService<ConsolePumpAgent>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleSocketEndpoint));
        var offered = http.WebSockets.WebSocketRequestedProtocols;
        var token = ConsoleTokens.FromSubProtocols(offered);

        using var socket = await http.WebSockets.AcceptWebSocketAsync(relay.Options.CreateAcceptContext(ConsoleTokens.EchoedSubProtocol(offered)));
        var grain = services.GetRequiredService<IGrainFactory>().GetGrain<IConsoleSessionGrain>(sessionId);
        ConsoleClaim claim;
        try
        {
            // A missing token is claimed as an empty one: the grain refuses it (4001) and audits the attempt.
            claim = await grain.Claim(ConsoleTokens.Hash(token ?? string.Empty), CurrentUser.Find(http)?.Id, agent.Self);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogClaimFailed(logger, ex, sessionId);
            await socket.RejectAsync(new ConsoleClose(ConsoleCloseCode.InternalError, "console service unavailable"));
            return;
        }
        if (claim.Target is not { } target)
        {
            LogRefused(logger, sessionId, claim.CloseCode, claim.Reason);
            await socket.RejectAsync(new ConsoleClose((ConsoleCloseCode)claim.CloseCode, claim.Reason));
            return;
        }

        // The token proved who opened it 30 s ago at most; the permission is checked again now (a revoked grant, a
        // disabled account or a removed membership ends here, not after the console is up).
        if (!await StillAllowedAsync(services, target, http.RequestAborted))
        {
            var forbidden = new ConsoleClose(ConsoleCloseCode.Forbidden, "console permission revoked");
            await TryAsync(logger, sessionId, () => grain.Complete(new ConsoleEnd((int)forbidden.Code, forbidden.Reason, nameof(CloseInitiator.Policy).ToLowerInvariant(), false, 0, 0)));
            await socket.RejectAsync(forbidden);
            return;
        }

        var policy = new ConsolePolicy(target.ViewOnly, ClipboardPolicy.Both, target.IdleTimeout, target.MaxDuration);
        var opener = OpenerFor(grain, target, services.GetRequiredService<PumpConnections>());
        agent.Track(sessionId, grain);
        try
        {
            var run = relay.RunAsync(sessionId, socket, opener, policy, http.RequestAborted);
            var activation = ReportActiveAsync(sessionId, relay, grain, run, logger);
            var outcome = await run;
            await activation;
            LogEnded(logger, sessionId, (int)outcome.Close.Code, outcome.Close.Reason, outcome.Initiator);
            await TryAsync(logger, sessionId, () => grain.Complete(new ConsoleEnd((int)outcome.Close.Code, outcome.Close.Reason,
                outcome.Initiator.ToString().ToLowerInvariant(), outcome.Relayed, outcome.BrowserToProxmoxBytes, outcome.ProxmoxToBrowserBytes)));
        }
        finally
        {
            agent.Forget(sessionId);
        }
    }

    /// <summary>
    /// Opens Proxmox when the pump asks: the grain gets the ticket from its server's grain (vncproxy, only now), and
    /// this silo attaches to vncwebsocket on the endpoint that served it, with its own connection of that server.
    /// </summary>
    private static UpstreamOpener OpenerFor(IConsoleSessionGrain grain, ConsoleTarget target, PumpConnections connections) => async ct =>
    {
        var grant = await grain.Connect();
        if (!grant.Succeeded)
        {
            throw new ConsoleUpstreamException(grant.Error ?? "no console ticket");
        }
        var ticket = new VncProxyTicket
        {
            User = grant.User,
            Ticket = grant.Ticket,
            Password = grant.Password,
            Port = grant.VncPort,
            Upid = grant.Upid,
        };
        var endpoint = new ProxmoxEndpoint(grant.Host, grant.Port);
        var type = target.Vm.GuestType == "lxc" ? GuestType.Lxc : GuestType.Qemu;
        var connection = await connections.GetAsync(target.Vm.ServerId, grant.ConfigStamp, ct);
        try
        {
            return await AttachAsync(connection, endpoint, target, type, ticket, ct);
        }
        catch (Exception ex) when (ex is ProxmoxAuthenticationException or ArgumentException)
        {
            // A new secret for the same token id (the stamp cannot see it), or an endpoint this silo's copy lacks: the
            // refused upgrade never reached the VNC port, which still waits, so one retry with a fresh configuration.
            connection = await connections.ReloadAsync(target.Vm.ServerId, connection, ct);
            return await AttachAsync(connection, endpoint, target, type, ticket, ct);
        }
    };

    private static Task<UpstreamConsole> AttachAsync(ProxmoxConnection connection, ProxmoxEndpoint endpoint, ConsoleTarget target, GuestType type,
        VncProxyTicket ticket, CancellationToken ct) =>
        ProxmoxUpstream.Attach(connection, endpoint, target.Node, type, target.Vm.VmId, ticket)(ct);

    private static async Task<bool> StillAllowedAsync(IServiceProvider services, ConsoleTarget target, CancellationToken ct)
    {
        var audience = await services.GetRequiredService<LiveAccessLoader>().LoadAsync(target.UserId, target.TenantId, ct);
        return audience is not null && PermissionPolicy.DecideVm(audience.Access, target.Vm, VmPermissions.Console) == AccessDecision.Allowed;
    }

    /// <summary>connecting → active as soon as both handshakes are done (the heartbeat would say it too, later).</summary>
    private static async Task ReportActiveAsync(Guid sessionId, PumpRegistry relay, IConsoleSessionGrain grain, Task run, ILogger logger)
    {
        while (!run.IsCompleted)
        {
            if (relay.TryGet(sessionId, out var pump) && pump.State == PumpState.Relaying)
            {
                await TryAsync(logger, sessionId, () => grain.MarkActive(DateTimeOffset.UtcNow));
                return;
            }
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(50)));
        }
    }

    private static async Task TryAsync(ILogger logger, Guid sessionId, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // During a shutdown the silo may already refuse calls; the grain's heartbeat timeout closes the record.
            LogGrainCallFailed(logger, sessionId, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Console {SessionId}: connect refused with {Code} ({Reason})")]
    private static partial void LogRefused(ILogger logger, Guid sessionId, int code, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Console {SessionId}: ended with {Code} ({Reason}), initiated by {Initiator}")]
    private static partial void LogEnded(ILogger logger, Guid sessionId, int code, string reason, CloseInitiator initiator);

    [LoggerMessage(Level = LogLevel.Error, Message = "Console {SessionId}: the claim failed")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console {SessionId}: a call to its grain failed ({Error})")]
    private static partial void LogGrainCallFailed(ILogger logger, Guid sessionId, string error);
}
