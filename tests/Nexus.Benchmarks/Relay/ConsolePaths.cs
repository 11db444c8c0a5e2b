using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Connections;
using Nexus.Simulator.Clusters;

namespace Nexus.Benchmarks.Relay;

/// <summary>One way for a viewer to reach a guest's console, and the process that relays it (if any).</summary>
internal abstract class ConsolePath
{
    public abstract string Name { get; }

    /// <summary>CPU seconds so far of the relaying process (with its children); null when nothing relays.</summary>
    public abstract double? RelayCpuSeconds();

    /// <summary>A console to <paramref name="guest"/>, past the RFB handshake.</summary>
    public abstract Task<RfbBenchClient> ConnectAsync(GuestInfo guest, CancellationToken cancellationToken);

    protected static ClientWebSocket NewSocket()
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version11;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return socket;
    }
}

/// <summary>Client → simulator <c>vncwebsocket</c> (wss, API token, VNC password), as Proxmox's own noVNC page connects.</summary>
internal sealed class DirectPath(ProxmoxConnection proxmox) : ConsolePath
{
    public override string Name => "direct";

    public override double? RelayCpuSeconds() => null;

    public override async Task<RfbBenchClient> ConnectAsync(GuestInfo guest, CancellationToken cancellationToken)
    {
        var proxy = await proxmox.CreateVncProxyAsync(guest.Node, GuestType.Qemu, guest.Vmid, cancellationToken);
        var socket = await proxmox.OpenVncWebSocketAsync(proxy.Endpoint, guest.Node, GuestType.Qemu, guest.Vmid, proxy.Value, cancellationToken);
        return await RfbBenchClient.HandshakeAsync(socket, proxy.Value.VncPassword, cancellationToken);
    }
}

/// <summary>Client → Nexus host (<c>POST /api/consoles</c>, then the socket with the token as a subprotocol) → simulator.</summary>
internal sealed class NexusPath(NexusHostProcess host, Guid serverId) : ConsolePath
{
    public override string Name => "Nexus";

    public override double? RelayCpuSeconds() => ProcessTree.CpuSeconds(host.ProcessId);

    public override async Task<RfbBenchClient> ConnectAsync(GuestInfo guest, CancellationToken cancellationToken)
    {
        using var response = await host.Api.PostAsJsonAsync("/api/consoles", new { serverId, type = "qemu", vmid = guest.Vmid }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/consoles answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        var opened = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var socket = NewSocket();
        socket.Options.AddSubProtocol("nexus.console");
        socket.Options.AddSubProtocol("nexus.console." + opened.GetProperty("token").GetString());
        socket.Options.SetRequestHeader("Origin", host.Origin);
        var uri = new Uri(new Uri(host.Url.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), opened.GetProperty("wsPath").GetString());
        try
        {
            await socket.ConnectAsync(uri, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return await RfbBenchClient.HandshakeAsync(socket, vncPassword: null, cancellationToken);
    }
}

/// <summary>Client → websockify → the simulator's raw RFB port for one guest (security None, no TLS on either leg).</summary>
internal sealed class WebsockifyPath(WebsockifyProcess websockify) : ConsolePath
{
    public override string Name => "websockify";

    public override double? RelayCpuSeconds() => ProcessTree.CpuSeconds(websockify.ProcessId);

    public override async Task<RfbBenchClient> ConnectAsync(GuestInfo guest, CancellationToken cancellationToken)
    {
        var socket = NewSocket();
        socket.Options.AddSubProtocol("binary");
        try
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{websockify.Port}/"), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return await RfbBenchClient.HandshakeAsync(socket, vncPassword: null, cancellationToken);
    }
}
