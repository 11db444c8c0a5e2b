using System.Net.WebSockets;
using Nexus.Simulator.Clusters;
using Nexus.Tests.Consoles;

namespace Nexus.Tests.Deploy;

/// <summary>
/// A browser tab with a VM console behind nginx. It opens the console (<c>POST /api/consoles</c>, then the socket with
/// the token as subprotocol and the page's origin), then asks for the full screen a few times a second and records
/// every frame. Closed with 1012 (its silo drains), it opens a new console of the same VM at once, as noVNC's page
/// does. Any other close or error stops it and is recorded.
/// </summary>
internal sealed class ConsoleViewer : IAsyncDisposable
{
    private static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(400);
    private readonly object _sync = new();
    private readonly List<DateTime> _frames = [];
    private readonly List<Session> _sessions = [];
    private readonly List<Closed> _closes = [];
    private readonly List<string> _errors = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly NginxFront _front;
    private readonly ConsoleLab _lab;
    private readonly GuestInfo _guest;
    private readonly HttpMessageInvoker _invoker;
    private ConsoleRfbClient? _client;
    private Task _loop = Task.CompletedTask;
    private long _bytes;

    /// <summary>One console session: its id, the silo that pumps it, when its first frame arrived, and how long that took after the previous one closed.</summary>
    public sealed record Session(Guid Id, int PumpSilo, DateTime StreamingAt, TimeSpan? ReconnectedAfter);

    public sealed record Closed(DateTime At, int Code, string? Reason, int PumpSilo);

    private ConsoleViewer(string name, NginxFront front, ConsoleLab lab)
    {
        Name = name;
        _front = front;
        _lab = lab;
        _guest = lab.FreshGuest();
        _invoker = new HttpMessageInvoker(front.Handler());
    }

    public string Name { get; }

    public Session Current
    {
        get { lock (_sync) { return _sessions[^1]; } }
    }

    public IReadOnlyList<Session> Sessions
    {
        get { lock (_sync) { return [.. _sessions]; } }
    }

    public IReadOnlyList<Closed> Closes
    {
        get { lock (_sync) { return [.. _closes]; } }
    }

    public IReadOnlyList<string> Errors
    {
        get { lock (_sync) { return [.. _errors]; } }
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    public static async Task<ConsoleViewer> OpenAsync(string name, NginxFront front, ConsoleLab lab)
    {
        var viewer = new ConsoleViewer(name, front, lab);
        await viewer.ConnectAsync(closedAt: null);
        viewer._loop = Task.Run(viewer.StreamAsync);
        return viewer;
    }

    /// <summary>Frames completed within the window.</summary>
    public int FramesBetween(DateTime from, DateTime to)
    {
        lock (_sync)
        {
            return _frames.Count(f => f >= from && f <= to);
        }
    }

    /// <summary>The longest time within the window without a completed frame (window edges count as frames).</summary>
    public TimeSpan LongestPauseBetween(DateTime from, DateTime to)
    {
        lock (_sync)
        {
            var points = _frames.Where(f => f > from && f < to).Prepend(from).Append(to).ToList();
            return points.Zip(points.Skip(1), (a, b) => b - a).Max();
        }
    }

    public string Describe()
    {
        lock (_sync)
        {
            return $"{Name}: sessions [{string.Join(", ", _sessions.Select(s => $"silo {s.PumpSilo + 1}"))}], {_frames.Count} frames, "
                + $"closes [{string.Join(", ", _closes.Select(c => $"{c.Code} on silo {c.PumpSilo + 1} at {c.At:HH:mm:ss.fff}"))}], errors [{string.Join("; ", _errors)}]";
        }
    }

    private async Task ConnectAsync(DateTime? closedAt)
    {
        var opened = await _lab.Admin.CallAsync(HttpMethod.Post, "/api/consoles", new { serverId = _lab.Server, type = _guest.Type, vmid = _guest.Vmid });
        var sessionId = opened.GetProperty("sessionId").GetGuid();
        var uri = new Uri($"wss://127.0.0.1:{_front.HttpsPort}{opened.GetProperty("wsPath").GetString()}");
        var client = await ConsoleRfbClient.ConnectAsync(uri, opened.GetProperty("token").GetString(), _front.Origin, invoker: _invoker);
        try
        {
            await client.HandshakeAsync();
            var pixels = await client.FramebufferAsync();
            var now = DateTime.UtcNow;
            Assert.Equal(client.Screen.Width * client.Screen.Height * client.Screen.BitsPerPixel / 8, pixels.Length);
            var silo = await _front.PumpSiloOfAsync(sessionId);
            lock (_sync)
            {
                _client = client;
                _sessions.Add(new Session(sessionId, silo, now, now - closedAt));
                _frames.Add(now);
            }
            Interlocked.Add(ref _bytes, pixels.Length);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task StreamAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = _client!;
            try
            {
                var pixels = await client.FramebufferAsync();
                lock (_sync)
                {
                    _frames.Add(DateTime.UtcNow);
                }
                Interlocked.Add(ref _bytes, pixels.Length);
                await Task.Delay(FrameInterval, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (WebSocketException) when (client.Socket.CloseStatus is { } status)
            {
                var closedAt = DateTime.UtcNow;
                lock (_sync)
                {
                    _closes.Add(new Closed(closedAt, (int)status, client.Socket.CloseStatusDescription, _sessions[^1].PumpSilo));
                }
                await client.DisposeAsync();
                if ((int)status != 1012)
                {
                    Fail($"closed with {(int)status} {client.Socket.CloseStatusDescription}");
                    return;
                }
                try
                {
                    await ConnectAsync(closedAt);
                }
                catch (Exception ex)
                {
                    Fail($"reconnecting after 1012: {ex.GetType().Name}: {ex.Message}");
                    return;
                }
            }
            catch (Exception ex)
            {
                Fail($"{ex.GetType().Name}: {ex.Message}");
                return;
            }
        }
    }

    private void Fail(string error)
    {
        lock (_sync)
        {
            _errors.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
        _stop.Dispose();
        _invoker.Dispose();
    }
}
