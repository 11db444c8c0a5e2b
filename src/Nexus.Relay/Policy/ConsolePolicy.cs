namespace Nexus.Relay.Policy;

/// <summary>Which way the clipboard may travel between the browser and the guest.</summary>
public enum ClipboardPolicy
{
    /// <summary>Paste into the guest and copy out of it.</summary>
    Both,

    /// <summary>Paste into the guest only: the ExtendedClipboard pseudo-encoding is stripped, so QEMU never sends its clipboard.</summary>
    ToGuest,

    /// <summary>Copy out of the guest only: ClientCutText carrying data toward the guest is dropped.</summary>
    FromGuest,

    /// <summary>Neither way.</summary>
    None,
}

/// <summary>
/// What one console session may do, enforced by the relay (noVNC's own view-only switch is client-side only).
/// </summary>
/// <param name="ViewOnly">Drops key, pointer, cut-text, SetDesktopSize, XVP (power) and QEMU key events.</param>
/// <param name="Clipboard">The clipboard direction(s) allowed; view-only also blocks paste.</param>
/// <param name="IdleTimeout">Close with 4008 after this long without user input (key, pointer, cut-text); null: never.</param>
/// <param name="MaxDuration">Close with 4010 this long after the pump started; null: never.</param>
public sealed record ConsolePolicy(
    bool ViewOnly = false,
    ClipboardPolicy Clipboard = ClipboardPolicy.Both,
    TimeSpan? IdleTimeout = null,
    TimeSpan? MaxDuration = null)
{
    /// <summary>Full control, clipboard both ways, no limits.</summary>
    public static ConsolePolicy FullControl { get; } = new();

    internal bool AllowsPaste => !ViewOnly && Clipboard is ClipboardPolicy.Both or ClipboardPolicy.ToGuest;

    internal bool AllowsCopyOut => Clipboard is ClipboardPolicy.Both or ClipboardPolicy.FromGuest;

    /// <summary>Throws <see cref="ArgumentException"/> for a policy that cannot work.</summary>
    public void Validate()
    {
        if (IdleTimeout is { } idle && idle <= TimeSpan.Zero)
        {
            throw new ArgumentException("IdleTimeout must be positive (or null for none).", nameof(IdleTimeout));
        }
        if (MaxDuration is { } max && max <= TimeSpan.Zero)
        {
            throw new ArgumentException("MaxDuration must be positive (or null for none).", nameof(MaxDuration));
        }
        if (!Enum.IsDefined(Clipboard))
        {
            throw new ArgumentException($"Unknown clipboard policy {Clipboard}.", nameof(Clipboard));
        }
    }
}
