namespace Nexus.Data.Embedded;

/// <summary>
/// The account the server programs run as. PostgreSQL refuses to run as root, and our machines and CI run as
/// root, so a root process hands the server to the unprivileged <c>postgres</c> system user (created by
/// Debian's package) through <c>runuser</c>, and gives it the data folder.
/// </summary>
internal sealed class ServerAccount
{
    private const string ServiceUser = "postgres";
    private const string RunUser = "/usr/sbin/runuser";

    private ServerAccount(string? delegatedUser) => DelegatedUser = delegatedUser;

    /// <summary>The system user the programs run as, or null when they run as this process.</summary>
    public string? DelegatedUser { get; }

    public static async Task<ServerAccount> ForCurrentProcessAsync(CancellationToken ct)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return new ServerAccount(null);
        }

        var lookup = await ToolRun.RunAsync("getent", ["passwd", ServiceUser], "/", ct);
        if (!lookup.Succeeded)
        {
            throw new NexusStartupException(
                $"running as root needs the '{ServiceUser}' system user to run the embedded PostgreSQL: install the Debian package 'postgresql' or set {EmbeddedPostgresOptions.ConnectionStringSetting}");
        }

        if (!File.Exists(RunUser))
        {
            throw new NexusStartupException(
                $"running as root needs {RunUser} (Debian package 'util-linux') to run the embedded PostgreSQL as '{ServiceUser}', or set {EmbeddedPostgresOptions.ConnectionStringSetting}");
        }

        return new ServerAccount(ServiceUser);
    }

    /// <summary>Runs a program as the server account, from a folder that account can enter.</summary>
    public Task<ToolResult> RunAsync(string program, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken ct)
    {
        if (DelegatedUser is null)
        {
            return ToolRun.RunAsync(program, arguments, workingDirectory, ct);
        }

        return ToolRun.RunAsync(RunUser, ["-u", DelegatedUser, "--", program, .. arguments], workingDirectory, ct);
    }

    /// <summary>Hands a file or folder we created (as root) to the server account.</summary>
    public async Task GiveAsync(string path, CancellationToken ct)
    {
        if (DelegatedUser is null)
        {
            return;
        }

        var result = await ToolRun.RunAsync("chown", [$"{DelegatedUser}:", path], "/", ct);
        if (!result.Succeeded)
        {
            throw new NexusStartupException(
                $"{EmbeddedPostgresOptions.DataDirectorySetting}: cannot give '{path}' to the '{DelegatedUser}' user: {result.LastLine}");
        }
    }

    /// <summary>
    /// Fails unless the server account can reach and write the folder. A folder under a 0700 home directory
    /// (such as /root) is not reachable; the error names the first directory that blocks the way.
    /// </summary>
    public async Task EnsureCanUseAsync(string folder, CancellationToken ct)
    {
        if (DelegatedUser is null)
        {
            return;
        }

        if ((await RunAsync("test", ["-w", folder, "-a", "-x", folder], "/", ct)).Succeeded)
        {
            return;
        }

        var blocker = folder;
        for (var dir = Path.GetDirectoryName(folder); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!(await RunAsync("test", ["-x", dir], "/", ct)).Succeeded)
            {
                blocker = dir;
            }
        }

        throw new NexusStartupException(
            $"{EmbeddedPostgresOptions.DataDirectorySetting}: '{folder}' is not reachable by the '{DelegatedUser}' user that runs PostgreSQL ('{blocker}' does not let it in); choose a folder outside it, e.g. /var/lib/nexus/postgres");
    }
}
