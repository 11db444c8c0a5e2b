using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Data.Embedded;

namespace Nexus.Web.Tests.Support;

/// <summary>
/// A real Nexus host as a user runs it: the built Nexus.Host program in its own process, serving the built web
/// client from src/Nexus.Host/wwwroot, on a private embedded PostgreSQL, with a known bootstrap admin.
/// </summary>
public sealed class WebHostFixture : IAsyncLifetime
{
    public const string AdminEmail = "admin@e2e.test";
    public const string AdminPassword = "E2e-admin-password-1";

    private readonly StringBuilder _output = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"nexus-web-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private EmbeddedPostgres? _postgres;
    private Process? _host;

    public Uri BaseAddress { get; private set; } = null!;

    public string HostOutput { get { lock (_output) { return _output.ToString(); } } }

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Path.Combine(Repository.HostProject, "wwwroot", "index.html")),
            "The web client is not built: build the solution without -p:SkipWebClient=true.");
        Directory.CreateDirectory(_folder);
        _postgres = await EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { DataDirectory = Path.Combine(_folder, "postgres"), Durable = false }, NullLogger.Instance, CancellationToken.None);
        var connectionString = await _postgres.CreateDatabaseAsync("web_e2e", CancellationToken.None);

        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Nexus.Host.dll"),
            "--urls", BaseAddress.ToString(),
            // The content root is the Host project, so the host serves the client the build wrote into its wwwroot.
            "--contentRoot", Repository.HostProject,
            $"--Nexus:DataDirectory={Path.Combine(_folder, "data")}",
            $"--Nexus:Database:ConnectionString={connectionString}",
            $"--Nexus:Silo:SiloPort={FreePort().ToString(CultureInfo.InvariantCulture)}",
            $"--Nexus:Auth:BootstrapAdminEmail={AdminEmail}",
            $"--Nexus:Auth:BootstrapAdminPassword={AdminPassword}",
            // The journeys poll their simulated clusters every second, so a change shows within the 2 s the issue asks.
            "--Nexus:Inventory:MinimumPollIntervalSeconds=1",
            // Every journey signs in from 127.0.0.1, most as the one admin, several times a minute: the throttles
            // (30 a minute per address, 10 per account) are for real clients. LoginThrottlingTests covers them.
            "--Nexus:Auth:PerIpPermitLimit=1000",
            "--Nexus:Auth:PerAccountPermitLimit=1000",
            "--Logging:LogLevel:Default=Warning",
        })
        {
            info.ArgumentList.Add(arg);
        }
        _host = Process.Start(info) ?? throw new InvalidOperationException("could not start Nexus.Host");
        _host.OutputDataReceived += (_, e) => Append(e.Data);
        _host.ErrorDataReceived += (_, e) => Append(e.Data);
        _host.BeginOutputReadLine();
        _host.BeginErrorReadLine();
        await WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is { HasExited: false })
        {
            using (var term = Process.Start("kill", ["-TERM", _host.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _host.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _host.Kill(entireProcessTree: true);
            }
        }
        _host?.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A closing backend may still hold a file; /tmp is cleaned anyway.
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (_host!.HasExited)
            {
                throw new InvalidOperationException($"Nexus.Host exited with {_host.ExitCode}:\n{HostOutput}");
            }
            try
            {
                if ((await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Nexus.Host was not ready within 2 minutes:\n{HostOutput}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreePort() => LoopbackPorts.Choose();
}

[CollectionDefinition(Name)]
public sealed class WebHostCollection : ICollectionFixture<WebHostFixture>
{
    public const string Name = "web host";
}
