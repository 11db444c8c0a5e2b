using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Nexus.Host.Startup;
using IPNetwork = System.Net.IPNetwork;

namespace Nexus.Host.Web;

/// <summary>
/// Which load balancers may tell us the client's address and scheme (configuration section <c>Nexus:Network</c>).
/// Forwarded headers from anyone else are ignored, so a client cannot forge the address that audit rows, refresh
/// tokens and the per-address sign-in throttle record. With neither list set, only loopback is trusted (a proxy on
/// the same machine); setting either replaces that default.
/// </summary>
internal sealed class NetworkOptions : IValidatableObject
{
    public const string Section = "Nexus:Network";

    /// <summary>Addresses of trusted proxies (e.g. <c>10.0.0.5</c>).</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form (e.g. <c>10.0.0.0/24</c> for a pod network).</summary>
    public List<string> TrustedNetworks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in TrustedProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"'{proxy}' is not an IP address", [nameof(TrustedProxies)]);
        }
        foreach (var network in TrustedNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"'{network}' is not a network in CIDR form", [nameof(TrustedNetworks)]);
        }
    }
}

internal static class ForwardedHeaders
{
    public static IServiceCollection AddNexusForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var network = StartupOptions.BindAndValidate<NetworkOptions>(configuration, NetworkOptions.Section);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // X-Forwarded-Host is not taken: the console endpoint compares the page's Origin with Host, which the
            // proxy passes through unchanged.
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            // The binder appends to a list's initial items, so the loopback default is applied here, not as an initializer.
            var proxies = network.TrustedProxies.Count + network.TrustedNetworks.Count == 0 ? ["127.0.0.1", "::1"] : network.TrustedProxies;
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            }
            foreach (var cidr in network.TrustedNetworks)
            {
                o.KnownIPNetworks.Add(IPNetwork.Parse(cidr));
            }
        });
        return services;
    }
}
