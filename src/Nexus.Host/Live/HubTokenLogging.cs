using Microsoft.Extensions.Options;

namespace Nexus.Host.Live;

/// <summary>
/// Keeps the hub's <c>access_token</c> query value out of the logs. ASP.NET Core's hosting diagnostics log every
/// request's full URL, query string included ("Request starting … /hubs/live?id=…&amp;access_token=…"), before
/// any middleware could strip it, so that category is held at Warning for every provider, after the logging
/// configuration is applied (a provider-specific rule in configuration would otherwise win). Nexus's own
/// request information comes from its endpoints and audit log; an access log belongs to the reverse proxy,
/// configured not to record query strings on <c>/hubs</c>. LiveHubLoggingTests checks every category at Trace.
/// </summary>
internal sealed class HubTokenLogging : IPostConfigureOptions<LoggerFilterOptions>
{
    private static readonly string[] UrlLoggingCategories = ["Microsoft.AspNetCore.Hosting.Diagnostics"];

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        var providers = options.Rules.Select(r => r.ProviderName).Distinct().ToList();
        if (!providers.Contains(null))
        {
            providers.Add(null);
        }
        foreach (var provider in providers)
        {
            foreach (var category in UrlLoggingCategories)
            {
                options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Warning, null));
            }
        }
    }
}
