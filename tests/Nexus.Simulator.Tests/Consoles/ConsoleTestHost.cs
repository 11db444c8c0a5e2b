using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Simulator.Consoles;

namespace Nexus.Simulator.Tests.Consoles;

/// <summary>
/// A minimal Kestrel host on 127.0.0.1 that maps Proxmox's vncwebsocket route to the console back-ends.
/// It stands in for the API layer: the principal comes from an <c>X-Test-Principal</c> header, and a
/// <see cref="ConsoleException"/> is answered the way Proxmox answers a handler error.
/// </summary>
internal sealed class ConsoleTestHost : IAsyncDisposable
{
    public const string Principal = "root@pam!nexus";
    public static readonly ConsoleGuest Guest = new("pve1", "qemu", 100, "web01");

    private readonly WebApplication _app;
    private readonly Dictionary<int, ConsoleGuest> _guests = new() { [Guest.Vmid] = Guest };

    private ConsoleTestHost(WebApplication app, ClusterConsoles consoles, ManualClock clock)
    {
        _app = app;
        Consoles = consoles;
        Clock = clock;
    }

    public ClusterConsoles Consoles { get; }
    public ManualClock Clock { get; }
    public Uri BaseUri { get; private set; } = null!;

    public List<string?> Finished { get; } = [];

    public static async Task<ConsoleTestHost> StartAsync(Func<ManualClock, ClusterConsoleOptions>? configure = null)
    {
        var clock = new ManualClock();
        var options = configure?.Invoke(clock) ?? new ClusterConsoleOptions { Clock = clock };
        var consoles = ClusterConsoles.Create(options);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        ConsoleTestHost? host = null;
        app.MapGet("/api2/json/nodes/{node}/{type}/{vmid:int}/vncwebsocket", async (HttpContext context, string node, int vmid) =>
        {
            var guest = host!._guests[vmid] with { Node = node };
            var principal = context.Request.Headers["X-Test-Principal"].ToString();
            var port = int.Parse(context.Request.Query["port"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            try
            {
                await consoles.HandleWebSocketAsync(context, guest, principal, port, context.Request.Query["vncticket"].ToString());
            }
            catch (ConsoleException e) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = e.StatusCode;
                context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>()!.ReasonPhrase = e.Message;
                await context.Response.WriteAsJsonAsync(new { data = (object?)null, message = e.Message + "\n" });
            }
        });
        host = new ConsoleTestHost(app, consoles, clock);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.BaseUri = new Uri(address);
        return host;
    }

    public VncProxyGrant Reserve(ConsoleGuest? guest = null, string principal = Principal)
    {
        guest ??= Guest;
        _guests[guest.Vmid] = guest;
        return Consoles.Reserve(guest, principal, error =>
        {
            lock (Finished)
                Finished.Add(error);
        });
    }

    public string PathFor(VncProxyGrant grant, ConsoleGuest? guest = null, int? port = null)
    {
        guest ??= Guest;
        return $"/api2/json/nodes/{guest.Node}/{guest.Type}/{guest.Vmid}/vncwebsocket"
            + $"?port={port ?? grant.Port}&vncticket={Uri.EscapeDataString(grant.Ticket)}";
    }

    public async Task<string?> WaitForFinishAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            lock (Finished)
            {
                if (Finished.Count > 0)
                    return Finished[0] ?? "OK";
            }

            await Task.Delay(20);
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await Consoles.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
