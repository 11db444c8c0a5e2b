using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Nexus.Benchmarks.Hosting;

namespace Nexus.Benchmarks.Relay;

/// <summary>
/// Debian's <c>websockify</c> (the Python relay noVNC ships with) listening on a loopback port and forwarding every
/// WebSocket to one raw RFB endpoint. It serves each connection in a forked child process.
/// </summary>
internal sealed class WebsockifyProcess : IAsyncDisposable
{
    public const string Binary = "/usr/bin/websockify";
    public const string InstallHint = "apt-get install -y websockify";

    private readonly Process _process;

    private WebsockifyProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public static bool IsInstalled => File.Exists(Binary);

    public static async Task<WebsockifyProcess> StartAsync(IPEndPoint target, CancellationToken cancellationToken)
    {
        var port = ChildProcess.FreePort();
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        info.ArgumentList.Add($"{target.Address}:{target.Port.ToString(CultureInfo.InvariantCulture)}");
        var process = Process.Start(info) ?? throw new InvalidOperationException("websockify did not start");
        // It logs every connection; the pipes are drained so it never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var websockify = new WebsockifyProcess(process, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"websockify exited with {process.ExitCode}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return websockify;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
