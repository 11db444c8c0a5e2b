using System.Runtime.Versioning;
using System.Security.Cryptography;
using Nexus.Data;

namespace Nexus.Host.Startup;

/// <summary>
/// The folder where a default run keeps what it generates for itself (signing and encryption keys): setting
/// <c>Nexus:DataDirectory</c>, default <c>/var/lib/nexus</c> as root, else <c>$XDG_DATA_HOME/nexus</c> or
/// <c>~/.local/share/nexus</c>. Deployments with several silos configure the secrets instead, so every silo
/// shares them (deploy/README.md).
/// </summary>
internal sealed class NexusDataFolder
{
    public const string Setting = "Nexus:DataDirectory";

    public NexusDataFolder(IConfiguration configuration)
    {
        Root = configuration[Setting] is { Length: > 0 } configured ? Path.GetFullPath(configured) : DefaultRoot();
    }

    public string Root { get; }

    /// <summary>
    /// Reads a secret kept in <c>secrets/<paramref name="name"/></c>, generating <paramref name="bytes"/> random bytes
    /// (base64) on first use. The file is created with mode 0600 before anything is written to it.
    /// </summary>
    public string GetOrCreateSecret(string name, int bytes)
    {
        var folder = Path.Combine(Root, "secrets");
        var path = Path.Combine(folder, name);
        if (!OperatingSystem.IsLinux())
        {
            throw new NexusStartupException($"{Setting}: generated secrets need a Linux file system; configure '{name}' instead");
        }
        try
        {
            if (File.Exists(path))
            {
                return File.ReadAllText(path).Trim();
            }
            return Create(folder, path, bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NexusStartupException($"{Setting}: cannot keep the generated secret '{name}' in {folder}: {ex.Message}");
        }
    }

    [SupportedOSPlatform("linux")]
    private static string Create(string folder, string path, int bytes)
    {
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));
        using (var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(secret);
        }
        return secret;
    }

    private static string DefaultRoot()
    {
        if (Environment.UserName == "root")
        {
            return "/var/lib/nexus";
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var baseFolder = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(baseFolder, "nexus");
    }
}
