using System.ComponentModel;
using System.Diagnostics;

namespace Nexus.Data.Embedded;

/// <summary>The outcome of one run of a command-line tool.</summary>
internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last non-empty line of stderr (else stdout): where PostgreSQL tools put the reason.</summary>
    public string LastLine
    {
        get
        {
            var text = string.IsNullOrWhiteSpace(StandardError) ? StandardOutput : StandardError;
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
                ?? $"exit code {ExitCode}";
        }
    }
}

internal static class ToolRun
{
    public static async Task<ToolResult> RunAsync(string file, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // English, untranslated tool messages: they end up in our one-line errors.
        start.Environment["LC_ALL"] = "C";
        start.Environment.Remove("LANGUAGE");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new NexusStartupException($"cannot run {file}: {ex.Message}", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return new ToolResult(process.ExitCode, await stdout, await stderr);
        }
    }
}
