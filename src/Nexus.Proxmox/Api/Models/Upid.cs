using System.Globalization;
using System.Text.RegularExpressions;

namespace Nexus.Proxmox.Api.Models;

/// <summary>
/// A Proxmox task id, <c>UPID:&lt;node&gt;:&lt;pid&gt;:&lt;pstart&gt;:&lt;starttime&gt;:&lt;type&gt;:&lt;id&gt;:&lt;user&gt;:</c>
/// (pve-common UPID.pm). It always ends with ':'; <c>id</c> may be empty; a token's tasks carry the token id as user.
/// </summary>
public sealed partial record Upid
{
    private Upid(string value, Match match)
    {
        Value = value;
        Node = match.Groups[1].Value;
        Pid = uint.Parse(match.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        ProcessStart = ulong.Parse(match.Groups[4].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        StartTime = DateTimeOffset.FromUnixTimeSeconds(long.Parse(match.Groups[5].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        Type = match.Groups[6].Value;
        Id = match.Groups[7].Value;
        Principal = match.Groups[8].Value;
    }

    /// <summary>The UPID text as Proxmox wrote it.</summary>
    public string Value { get; }

    public string Node { get; }

    public uint Pid { get; }

    public ulong ProcessStart { get; }

    public DateTimeOffset StartTime { get; }

    /// <summary>The task type, e.g. <c>qmstart</c>, <c>vncproxy</c>.</summary>
    public string Type { get; }

    /// <summary>Usually the vmid; empty for node-level tasks.</summary>
    public string Id { get; }

    /// <summary><c>root@pam</c> or <c>root@pam!portal</c>.</summary>
    public string Principal { get; }

    /// <summary>The user part of <see cref="Principal"/>.</summary>
    public string User => Principal.Split('!', 2)[0];

    /// <summary>The token name when a token started the task.</summary>
    public string? TokenName => Principal.Split('!', 2) is [_, var token] ? token : null;

    /// <summary>The UPID escaped for a path segment (it contains ':' and may contain '!' and '@').</summary>
    public string PathSegment => Uri.EscapeDataString(Value);

    public static Upid Parse(string value) =>
        TryParse(value, out var upid) ? upid : throw new FormatException($"'{value}' is not a Proxmox UPID.");

    public static bool TryParse(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Upid? upid)
    {
        upid = null;
        if (value is null)
        {
            return false;
        }
        var match = Pattern().Match(value);
        if (!match.Success)
        {
            return false;
        }
        upid = new Upid(value, match);
        return true;
    }

    public override string ToString() => Value;

    // The decode regex of pve-common UPID.pm.
    [GeneratedRegex(@"^UPID:([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
