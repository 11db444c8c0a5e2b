using System.Diagnostics;
using Nexus.Web.Tests.Support;
using Xunit.Abstractions;

namespace Nexus.Web.Tests;

/// <summary>The client's Vitest unit tests (API client, session, data logic), run as part of the .NET test run.</summary>
public sealed class ClientUnitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Vitest_unit_tests_pass()
    {
        var info = new ProcessStartInfo("npm") { WorkingDirectory = Repository.WebClient, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "test", "--", "--reporter=verbose", "--color=false" })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["CI"] = "1";
        using var npm = Process.Start(info)!;
        var stdout = npm.StandardOutput.ReadToEndAsync();
        var stderr = npm.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await npm.WaitForExitAsync(timeout.Token);
        output.WriteLine(await stdout);
        output.WriteLine(await stderr);

        Assert.True(npm.ExitCode == 0, $"npm test exited with {npm.ExitCode}:\n{await stdout}\n{await stderr}");
        Assert.Contains("passed", await stdout, StringComparison.Ordinal);
    }
}
