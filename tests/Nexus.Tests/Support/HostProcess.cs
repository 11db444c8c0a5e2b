using System.Diagnostics;
using System.Text;

namespace Nexus.Tests.Support;

/// <summary>The built Nexus.Host program run as a separate process, as a user runs it.</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly ProcessStartInfo _startInfo;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private Process _process;

    private HostProcess(ProcessStartInfo startInfo)
    {
        _startInfo = startInfo;
        _process = Launch();
    }

    private Process Launch()
    {
        var process = Process.Start(_startInfo) ?? throw new InvalidOperationException("could not start Nexus.Host");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_stdout) { _stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_stderr) { _stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }
    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static HostProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(HostAssemblyPath());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        return new HostProcess(info);
    }

    /// <summary>
    /// Starts the program again with the same arguments and environment (same ports, same data folder), as an
    /// operator restarts a service, once the previous run has exited. Output keeps accumulating.
    /// </summary>
    public void StartAgain()
    {
        if (!_process.HasExited)
        {
            throw new InvalidOperationException("Nexus.Host is still running: stop it first");
        }
        lock (_stdout)
        {
            _stdout.AppendLine("--- started again ---");
        }
        _process.Dispose();
        _process = Launch();
    }

    /// <summary>Asks the process to stop as Ctrl+C or systemd would (SIGTERM) and waits for it.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    // The host is built next to the tests (same configuration) by the solution build.
    private static string HostAssemblyPath()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "Nexus.Host.dll");
        if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "Nexus.Host.runtimeconfig.json")))
        {
            return local;
        }
        throw new FileNotFoundException("Nexus.Host.dll with its runtimeconfig was not found beside the tests", local);
    }
}
