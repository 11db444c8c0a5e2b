namespace Nexus.Host.Tenants;

/// <summary>
/// Identifies a logo by its leading bytes, never by its name or declared type: PNG, JPEG or WebP. Anything
/// else is refused, SVG in particular (it can carry script). Hand-written: three fixed signatures.
/// </summary>
internal static class LogoFormat
{
    private static ReadOnlySpan<byte> Png => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> Riff => "RIFF"u8;
    private static ReadOnlySpan<byte> Webp => "WEBP"u8;

    /// <summary>The content type, or null when the bytes are none of the accepted formats.</summary>
    public static string? Detect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(Png))
        {
            return "image/png";
        }
        if (bytes.StartsWith(Jpeg))
        {
            return "image/jpeg";
        }
        if (bytes.Length >= 12 && bytes.StartsWith(Riff) && bytes[8..12].SequenceEqual(Webp))
        {
            return "image/webp";
        }
        return null;
    }
}
