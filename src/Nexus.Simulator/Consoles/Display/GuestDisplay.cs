using System.Globalization;

namespace Nexus.Simulator.Consoles.Display;

/// <summary>One immutable picture of a guest's screen.</summary>
internal sealed record DisplayFrame(long Version, uint[] Pixels);

/// <summary>
/// The screen and input side of one simulated guest: a 640×400 framebuffer that shows the guest's name,
/// a clock and the last keys typed, so a viewer can see it live; and the log of every event that reached it.
/// Shared by every console connection to the guest (QEMU has one display per VM).
/// </summary>
internal sealed class GuestDisplay
{
    public const int Width = 640;
    public const int Height = 400;

    private const int InputLogCapacity = 10_000;
    private const int TypedCapacity = 40;
    private const int DirtyHistory = 64;
    private const uint Background = 0x1E3A5F;

    private static readonly Band NameBand = new(16, 3, 0xFFFFFF);
    private static readonly Band IdentityBand = new(56, 2, 0xA0C4E8);
    private static readonly Band ClockBand = new(110, 3, 0xFFD84A);
    private static readonly Band KeysBand = new(170, 2, 0x7CFC9A);
    private static readonly Band PointerBand = new(200, 2, 0xF0A0F0);

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly int _vmid;
    private readonly Queue<ConsoleInputEvent> _inputLog = new();
    private readonly Queue<(long Version, PixelRect Dirty)> _dirty = new();
    private readonly List<DisplayClient> _clients = [];
    private TaskCompletionSource _changed = NewSignal();
    private DisplayFrame _frame;
    private string _name;
    private string _identity;
    private string _typed = "";
    private string _pointer = "";
    private readonly string[] _drawn = new string[5];

    public GuestDisplay(ConsoleGuest guest, TimeProvider clock)
    {
        _clock = clock;
        _vmid = guest.Vmid;
        _name = guest.Name;
        _identity = Identity(guest);
        var pixels = new uint[Width * Height];
        pixels.AsSpan().Fill(Background);
        DrawColourBar(pixels);
        _frame = new DisplayFrame(0, pixels);
        Render();
    }

    public string Name
    {
        get { lock (_gate) return _name; }
    }

    /// <summary>Completes at the next change of the picture.</summary>
    public Task Changed
    {
        get { lock (_gate) return _changed.Task; }
    }

    /// <summary>Follows a rename or migration reported by the API layer.</summary>
    public void Update(ConsoleGuest guest)
    {
        lock (_gate)
        {
            _name = guest.Name;
            _identity = Identity(guest);
            Render();
        }
    }

    /// <summary>The current picture, with the clock brought up to date.</summary>
    public DisplayFrame Refresh()
    {
        lock (_gate)
        {
            Render();
            return _frame;
        }
    }

    /// <summary>What changed after <paramref name="sinceVersion"/> up to the current frame; everything if unknown.</summary>
    public PixelRect ChangedSince(long sinceVersion)
    {
        lock (_gate)
        {
            if (sinceVersion < 0 || _dirty.Count == 0 || _dirty.Peek().Version > sinceVersion + 1)
                return new PixelRect(0, 0, Width, Height);
            var union = default(PixelRect);
            foreach (var (version, dirty) in _dirty)
            {
                if (version > sinceVersion)
                    union = union.Union(dirty);
            }

            return union;
        }
    }

    public void RecordKey(bool down, uint keysym, uint? scancode)
    {
        var printable = keysym is >= 0x20 and <= 0x7E ? $" '{(char)keysym}'" : "";
        var code = scancode is { } s ? string.Create(CultureInfo.InvariantCulture, $" scancode=0x{s:x}") : "";
        var detail = string.Create(CultureInfo.InvariantCulture, $"{(down ? "down" : "up")} 0x{keysym:x4}{printable}{code}");
        lock (_gate)
        {
            Log("key", detail);
            if (!down)
                return;
            if (keysym is >= 0x20 and <= 0x7E)
                _typed = (_typed + (char)keysym)[Math.Max(0, _typed.Length + 1 - TypedCapacity)..];
            else if (keysym == 0xFF08 && _typed.Length > 0)
                _typed = _typed[..^1];
            Render();
        }
    }

    public void RecordPointer(byte buttons, int x, int y)
    {
        lock (_gate)
        {
            Log("pointer", string.Create(CultureInfo.InvariantCulture, $"x={x} y={y} buttons=0x{buttons:x2}"));
            _pointer = string.Create(CultureInfo.InvariantCulture, $"{x},{y} {buttons}");
            Render();
        }
    }

    public void RecordCutText(string detail)
    {
        lock (_gate)
            Log("cut-text", detail);
    }

    public IReadOnlyList<ConsoleInputEvent> InputLog()
    {
        lock (_gate)
            return [.. _inputLog];
    }

    /// <summary>
    /// Applies QEMU's default <c>share=allow-exclusive</c> policy at ClientInit: an exclusive client
    /// disconnects all others; a shared client is refused while an exclusive one is connected.
    /// </summary>
    public bool Join(DisplayClient client)
    {
        DisplayClient[] evicted;
        lock (_gate)
        {
            if (client.Shared && _clients.Exists(c => !c.Shared))
                return false;
            evicted = client.Shared ? [] : [.. _clients];
            if (!client.Shared)
                _clients.Clear();
            _clients.Add(client);
        }

        foreach (var other in evicted)
            other.Disconnect();
        return true;
    }

    public void Leave(DisplayClient client)
    {
        lock (_gate)
            _clients.Remove(client);
    }

    private void Log(string kind, string detail)
    {
        if (_inputLog.Count == InputLogCapacity)
            _inputLog.Dequeue();
        _inputLog.Enqueue(new ConsoleInputEvent(_clock.GetUtcNow(), kind, detail));
    }

    private void Render()
    {
        var clock = _clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        string[] texts = [_name, _identity, clock, "KEYS: " + _typed, "POINTER: " + _pointer];
        Band[] bands = [NameBand, IdentityBand, ClockBand, KeysBand, PointerBand];

        uint[]? pixels = null;
        var dirty = default(PixelRect);
        for (var i = 0; i < texts.Length; i++)
        {
            if (texts[i] == _drawn[i])
                continue;
            pixels ??= (uint[])_frame.Pixels.Clone();
            dirty = dirty.Union(bands[i].Draw(pixels, texts[i]));
            _drawn[i] = texts[i];
        }

        if (pixels is null)
            return;

        _frame = new DisplayFrame(_frame.Version + 1, pixels);
        if (_dirty.Count == DirtyHistory)
            _dirty.Dequeue();
        _dirty.Enqueue((_frame.Version, dirty));
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private string Identity(ConsoleGuest guest) =>
        string.Create(CultureInfo.InvariantCulture, $"{(guest.Type == "lxc" ? "CT" : "VM")} {_vmid} ON {guest.Node}");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void DrawColourBar(uint[] pixels)
    {
        const int top = Height - 40;
        for (var x = 0; x < Width; x++)
        {
            var t = x * 6 * 255 / Width;
            var (r, g, b) = (t / 255) switch
            {
                0 => (255, t % 255, 0),
                1 => (255 - t % 255, 255, 0),
                2 => (0, 255, t % 255),
                3 => (0, 255 - t % 255, 255),
                4 => (t % 255, 0, 255),
                _ => (255, 0, 255 - t % 255),
            };
            var colour = (uint)(r << 16 | g << 8 | b);
            for (var y = top; y < Height; y++)
                pixels[y * Width + x] = colour;
        }
    }

    private sealed record Band(int Top, int Scale, uint Colour)
    {
        private const int Margin = 16;

        public PixelRect Draw(uint[] pixels, string text)
        {
            var rect = new PixelRect(0, Top, Width, BitmapFont.GlyphHeight * Scale);
            for (var y = rect.Y; y < rect.Y + rect.Height; y++)
                pixels.AsSpan(y * Width, Width).Fill(Background);
            var fitting = text.Length > BitmapFont.MaxChars(Width - 2 * Margin, Scale)
                ? text[..BitmapFont.MaxChars(Width - 2 * Margin, Scale)]
                : text;
            BitmapFont.Draw(pixels, Width, Height, Margin, Top, fitting, Scale, Colour);
            return rect;
        }
    }
}

/// <summary>One connected viewer, as the display's sharing policy sees it.</summary>
internal sealed class DisplayClient(bool shared, Action disconnect)
{
    public bool Shared { get; } = shared;

    public void Disconnect() => disconnect();
}
