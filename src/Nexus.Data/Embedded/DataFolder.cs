using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace Nexus.Data.Embedded;

/// <summary>
/// The layout of the embedded server's folder: <c>pgdata/</c> (the cluster), <c>password</c> (0600),
/// <c>port</c>, <c>server.log</c> and <c>nexus.lock</c> (held while a process owns the server).
/// </summary>
internal sealed class DataFolder(string root)
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private const UnixFileMode TraversableDirectory =
        OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public string Root { get; } = root;

    public string Cluster => Path.Combine(Root, "pgdata");

    public string PasswordFile => Path.Combine(Root, "password");

    public string PortFile => Path.Combine(Root, "port");

    public string ServerLog => Path.Combine(Root, "server.log");

    public string LockFile => Path.Combine(Root, "nexus.lock");

    public string PidFile => Path.Combine(Cluster, "postmaster.pid");

    public bool IsInitialized => File.Exists(Path.Combine(Cluster, "PG_VERSION"));

    /// <summary>Creates the folder (0700; new parents 0755 so another account can pass through them).</summary>
    [SupportedOSPlatform("linux")]
    public void Create()
    {
        try
        {
            if (File.Exists(Root))
            {
                throw new NexusStartupException($"{EmbeddedPostgresOptions.DataDirectorySetting}: '{Root}' is a file, not a folder");
            }

            var parent = Path.GetDirectoryName(Root);
            if (parent is not null && !Directory.Exists(parent))
            {
                Directory.CreateDirectory(parent, TraversableDirectory);
            }

            Directory.CreateDirectory(Root, OwnerOnlyDirectory);
            File.SetUnixFileMode(Root, OwnerOnlyDirectory);
            _ = Directory.GetFileSystemEntries(Root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NexusStartupException($"{EmbeddedPostgresOptions.DataDirectorySetting}: cannot use '{Root}': {ex.Message}", ex);
        }
    }

    /// <summary>Locks the folder for this process; fails when another live process holds it.</summary>
    [SupportedOSPlatform("linux")]
    public FileStream Lock()
    {
        try
        {
            return new FileStream(LockFile, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = OwnerOnlyFile,
            });
        }
        catch (IOException ex)
        {
            throw new NexusStartupException(
                $"{EmbeddedPostgresOptions.DataDirectorySetting}: '{Root}' is in use by another Nexus process (one folder per process)", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new NexusStartupException($"{EmbeddedPostgresOptions.DataDirectorySetting}: cannot use '{Root}': {ex.Message}", ex);
        }
    }

    public string? ReadPassword() => ReadTrimmed(PasswordFile);

    /// <summary>A fresh random superuser password (48 characters from a 62-letter alphabet, about 285 bits).</summary>
    [SupportedOSPlatform("linux")]
    public string CreatePassword()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var password = RandomNumberGenerator.GetString(alphabet, 48);
        WritePrivate(PasswordFile, password);
        return password;
    }

    public int? ReadPort() =>
        int.TryParse(ReadTrimmed(PortFile), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : null;

    [SupportedOSPlatform("linux")]
    public void WritePort(int port) => WritePrivate(PortFile, port.ToString(CultureInfo.InvariantCulture));

    /// <summary>The last line of the server log that says why it stopped or refused to start.</summary>
    public string? LastServerError()
    {
        try
        {
            var lines = File.Exists(ServerLog) ? File.ReadAllLines(ServerLog) : [];
            return lines.LastOrDefault(line => line.Contains("FATAL:", StringComparison.Ordinal) || line.Contains("PANIC:", StringComparison.Ordinal))
                ?? lines.LastOrDefault(line => line.Contains("ERROR:", StringComparison.Ordinal))
                ?? lines.LastOrDefault(line => !string.IsNullOrWhiteSpace(line));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Process id and port from <c>postmaster.pid</c>, when the file exists and is complete.</summary>
    public (int Pid, int Port)? ReadPidFile()
    {
        try
        {
            if (!File.Exists(PidFile))
            {
                return null;
            }

            var lines = File.ReadAllLines(PidFile);
            return lines.Length >= 4
                && int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && int.TryParse(lines[3].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                ? (pid, port)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? ReadTrimmed(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NexusStartupException($"{EmbeddedPostgresOptions.DataDirectorySetting}: cannot read '{file}': {ex.Message}", ex);
        }
    }

    [SupportedOSPlatform("linux")]
    private static void WritePrivate(string file, string content)
    {
        File.Delete(file);
        using (var stream = new FileStream(file, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = OwnerOnlyFile,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        // The umask cannot widen a create mode, but an existing ACL default could: make it exact.
        File.SetUnixFileMode(file, OwnerOnlyFile);
    }
}
