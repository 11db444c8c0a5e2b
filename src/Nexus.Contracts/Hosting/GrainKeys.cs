using System.Globalization;

namespace Nexus.Contracts.Hosting;

/// <summary>
/// Canonical grain keys. Orleans' ADO.NET storage parses a string key as a GUID or as a hex integer before it
/// stores it, so "abc", "ABC" and "0abc" would share one state row, and a '+' splits off a key extension
/// (dotnet/orleans #9706, reproduced on 10.4.2). Every string key we hand to Orleans therefore carries a
/// non-hex character and no '+', and is built here so its format never varies.
/// </summary>
public static class GrainKeys
{
    /// <summary>Key of a guest: <c>{serverId:N}/qemu/100</c>.</summary>
    public static string Guest(Guid serverId, string guestType, int vmid)
    {
        if (guestType is not ("qemu" or "lxc"))
        {
            throw new ArgumentOutOfRangeException(nameof(guestType), guestType, "Guest type must be 'qemu' or 'lxc'.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(vmid, 100);
        return Ensure(string.Create(CultureInfo.InvariantCulture, $"{serverId:N}/{guestType}/{vmid}"));
    }

    /// <summary>Throws when <paramref name="key"/> would be read by the storage provider as a number or a GUID.</summary>
    public static string Ensure(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Contains('+', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Grain key '{key}' contains '+', which Orleans storage reads as a key extension.", nameof(key));
        }
        if (Guid.TryParse(key, out _) || long.TryParse(key, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"Grain key '{key}' looks like a number or a GUID; Orleans storage would not keep it apart from similar keys.", nameof(key));
        }
        return key;
    }
}
