using System.Net;
using System.Text.Json;
using Nexus.Simulator.Clusters;
using Nexus.Tests.Web;

namespace Nexus.Tests.Consoles;

/// <summary>An opened console as the API returned it.</summary>
internal sealed record OpenedConsole(Guid SessionId, string Token, string WsPath, DateTimeOffset ExpiresAt);

internal static class ConsoleTestApi
{
    public static async Task<OpenedConsole> OpenConsoleAsync(this ConsoleWorld world, ApiClient who, GuestInfo guest,
        ConsoleCluster cluster = ConsoleCluster.Current, bool viewOnly = false)
    {
        var body = await who.CallAsync(HttpMethod.Post, "/api/consoles",
            new { serverId = world.Servers[cluster], type = guest.Type, vmid = guest.Vmid, viewOnly });
        return new OpenedConsole(body.GetProperty("sessionId").GetGuid(), body.GetProperty("token").GetString()!,
            body.GetProperty("wsPath").GetString()!, body.GetProperty("expiresAt").GetDateTimeOffset());
    }

    public static async Task<JsonElement> TryOpenConsoleAsync(this ConsoleWorld world, ApiClient who, GuestInfo guest, HttpStatusCode expected,
        ConsoleCluster cluster = ConsoleCluster.Current) =>
        await who.CallAsync(HttpMethod.Post, "/api/consoles", new { serverId = world.Servers[cluster], type = guest.Type, vmid = guest.Vmid }, expected);

    /// <summary>Connects to the console through <paramref name="host"/> from that host's own origin and completes the RFB handshake.</summary>
    public static async Task<ConsoleRfbClient> ConnectAsync(this ConsoleWorld world, OpenedConsole console, int host = 0, bool http2 = false,
        string? bearer = null, bool handshake = true)
    {
        var h = world.Hosts[host];
        var client = await ConsoleRfbClient.ConnectAsync(h.SocketUri(console.SessionId, http2), console.Token, h.OriginOf(http2), bearer, http2);
        if (handshake)
        {
            await client.HandshakeAsync();
        }
        return client;
    }

    /// <summary>Connects and expects the server to close at once with <paramref name="code"/>; returns the reason.</summary>
    public static async Task<string?> RefusedAsync(this ConsoleWorld world, Guid sessionId, string? token, int code, int host = 0, string? bearer = null)
    {
        var h = world.Hosts[host];
        await using var client = await ConsoleRfbClient.ConnectAsync(h.SocketUri(sessionId), token, h.Origin, bearer);
        var (actual, reason) = await client.WaitForCloseAsync();
        Assert.True(actual == code, $"expected close {code}, got {actual} {reason}");
        return reason;
    }

    public static async Task<HttpStatusCode> UpgradeStatusAsync(Uri uri, string token, string? origin)
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.AddSubProtocol("nexus.console");
        socket.Options.AddSubProtocol("nexus.console." + token);
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None);
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }
}
