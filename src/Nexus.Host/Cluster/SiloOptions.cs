using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Nexus.Host.Cluster;

/// <summary>
/// Where this process sits in the Orleans cluster (configuration section <c>Nexus:Silo</c>).
/// The defaults run one silo on loopback with no configuration at all.
/// </summary>
public sealed class SiloOptions : IValidatableObject
{
    public const string Section = "Nexus:Silo";

    /// <summary>Silos with the same cluster id form one cluster (Orleans' DeploymentId in the membership table).</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,100}$", ErrorMessage = "must be 1-100 letters, digits, '.', '_' or '-'")]
    public string ClusterId { get; set; } = "nexus";

    /// <summary>Written into every grain-state and reminder row: keep it stable for the life of the deployment.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,150}$", ErrorMessage = "must be 1-150 letters, digits, '.', '_' or '-'")]
    public string ServiceId { get; set; } = "nexus";

    /// <summary>Silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Gateway port for external Orleans clients. Nexus has none; 0 disables the gateway.</summary>
    [Range(0, 65535)]
    public int GatewayPort { get; set; }

    /// <summary>
    /// Address other silos use to reach this one. Default loopback (one machine); in containers set the pod or
    /// host IP. The silo listens on this address only unless <see cref="ListenOnAnyAddress"/> is set.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface while advertising <see cref="AdvertisedAddress"/> (containers behind NAT).</summary>
    public bool ListenOnAnyAddress { get; set; }

    internal IPAddress ParsedAdvertisedAddress => IPAddress.Parse(AdvertisedAddress);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(AdvertisedAddress, out var address))
        {
            yield return new ValidationResult($"'{AdvertisedAddress}' is not an IP address", [nameof(AdvertisedAddress)]);
        }
        else if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            yield return new ValidationResult("must be an address other silos can reach, not 0.0.0.0", [nameof(AdvertisedAddress)]);
        }
        if (GatewayPort != 0 && GatewayPort == SiloPort)
        {
            yield return new ValidationResult("must differ from SiloPort", [nameof(GatewayPort)]);
        }
    }
}
