using System.Text.RegularExpressions;

namespace Nexus.Tests.Deploy;

/// <summary>
/// Renders the checked-in <c>deploy/nginx/nexus.conf</c> for a test run: the test's silo ports, loopback listeners,
/// its certificate and its log folder. Everything else is the file operators deploy.
/// </summary>
internal static partial class NginxConfig
{
    public static string TemplatePath => Path.Combine(RepositoryRoot(), "deploy", "nginx", "nexus.conf");

    public static string Render(string template, IReadOnlyList<int> siloPorts, int httpsPort, int httpPort, string folder)
    {
        // The silos' addresses are the test's; their parameters (failure detection) are the file's own.
        var parameters = UpstreamServers().Match(template).Groups["parameters"].Captures.FirstOrDefault()?.Value ?? "";
        var upstream = string.Concat(siloPorts.Select(port => $"    server 127.0.0.1:{port}{parameters};\n"));
        var text = Replace(template, UpstreamServers(), upstream, "the upstream's server lines");
        text = Replace(text, new Regex(@"listen 443 ssl http2;"), $"listen 127.0.0.1:{httpsPort} ssl http2;", "the TLS listener");
        text = Replace(text, new Regex(@"listen 80;"), $"listen 127.0.0.1:{httpPort};", "the plain listener");
        text = Replace(text, new Regex(@"\n\s*listen \[::\]:\d+[^;]*;"), "", "the IPv6 listeners");
        text = Replace(text, new Regex(@"/etc/nginx/tls/"), folder + "/", "the certificate paths");
        text = Replace(text, new Regex(@"/var/log/nginx/"), folder + "/", "the log paths");
        return text;
    }

    /// <summary>A whole nginx.conf around the rendered file: foreground, unprivileged paths under <paramref name="folder"/>.</summary>
    public static string WrapInMainConfig(string rendered, string folder) => $$"""
        daemon off;
        master_process on;
        worker_processes 1;
        pid {{folder}}/nginx.pid;
        error_log {{folder}}/main-error.log notice;
        events { worker_connections 256; }
        http {
            client_body_temp_path {{folder}}/body;
            proxy_temp_path {{folder}}/proxy;
            fastcgi_temp_path {{folder}}/fastcgi;
            uwsgi_temp_path {{folder}}/uwsgi;
            scgi_temp_path {{folder}}/scgi;
            access_log off;
        {{rendered}}
        }
        """;

    private static string Replace(string text, Regex pattern, string replacement, string what)
    {
        Assert.True(pattern.IsMatch(text), $"deploy/nginx/nexus.conf no longer has {what} ({pattern}); update {nameof(NginxConfig)}");
        return pattern.Replace(text, replacement.Replace("$", "$$", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"(    server [^\s;]+(?<parameters> [^;]*)?;\n)+")]
    private static partial Regex UpstreamServers();

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Nexus.sln")))
            {
                return folder.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no Nexus.sln above {AppContext.BaseDirectory}");
    }
}
