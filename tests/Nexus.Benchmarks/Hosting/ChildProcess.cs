using System.Diagnostics;
using System.Text.RegularExpressions;
using Nexus.Data.Embedded;

namespace Nexus.Benchmarks.Hosting;

/// <summary>
/// A <c>dotnet X.dll …</c> child process whose standard output is watched line by line, so a scenario can wait for
/// "ready" lines and pick values out of them. Killed (with its process tree) on dispose.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly List<string> _lines = [];
    private readonly object _gate = new();

    private ChildProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public static ChildProcess Start(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>
    /// A loopback port for a child's listener, from below the ephemeral range (<see cref="LoopbackPorts"/>): a port the
    /// kernel just called free from that range can go to an outgoing connection before the child binds it.
    /// </summary>
    public static int FreePort() => LoopbackPorts.Choose();

    /// <summary>Waits for an output line matching <paramref name="pattern"/> and returns its first group.</summary>
    public async Task<string> WaitForAsync(Regex pattern, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
            {
                foreach (var line in _lines)
                {
                    if (pattern.Match(line) is { Success: true } match)
                    {
                        return match.Groups[1].Value;
                    }
                }
            }
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The child process exited with {Process.ExitCode}:{Environment.NewLine}{Tail()}");
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException($"No line matching {pattern} within {within.TotalSeconds} s:{Environment.NewLine}{Tail()}");
    }

    /// <summary>Until <paramref name="path"/> answers 2xx on <paramref name="http"/>; fails at once if this process exits, or after 3 minutes.</summary>
    public async Task WaitForOkAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The child process exited with {Process.ExitCode}:{Environment.NewLine}{Tail()}");
            }
            try
            {
                using var response = await http.GetAsync(path, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{path} not OK within 3 minutes:{Environment.NewLine}{Tail()}");
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    public string Tail()
    {
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _lines.TakeLast(30));
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            _lines.Add(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            // SIGTERM first: the host stops its embedded PostgreSQL on a graceful stop, which a kill would orphan.
            using (var term = Process.Start("kill", ["-s", "TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await Process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync();
            }
        }
        Process.Dispose();
    }
}
