using System.Security.Cryptography;
using Nexus.Data.Servers;
using Nexus.Host.Web;
using Nexus.Proxmox.Configuration;
using Nexus.Proxmox.Tls;

namespace Nexus.Host.Servers;

/// <summary>A validated create or edit: the values to store and, when one was given, the new token.</summary>
internal sealed record ServerInputResult(ServerDraft Draft, string? ApiToken);

/// <summary>
/// The validation rules of a server, shared by the API and the CSV import (seed §1.12, tightened): name 1–100,
/// host a DNS name or IP literal, ports 1–65535 (8006 by default), a token of the form USER@REALM!TOKENID=SECRET,
/// an explicit TLS trust choice, timeout 5000–120000 ms, poll interval from the operator's minimum (5 s by default,
/// <see cref="InventoryOptions"/>) to 300 s. Field names in errors are the request's JSON names.
/// </summary>
internal static class ServerInput
{
    public const int DefaultPort = 8006;
    public const int MaxName = 100;
    public const int MaxPins = 32;
    public const int MaxCaPem = 65536;

    public const string TrustRequired =
        "Choose how the server's certificate is trusted: 'pinned' with the fingerprints from POST /api/servers/probe-certificate " +
        "(the usual choice for Proxmox's self-signed certificates), 'ca' with the cluster CA (pve-root-ca.pem), or 'system' for a public certificate.";

    /// <summary>
    /// Validates <paramref name="request"/> as a create (<paramref name="existing"/> null: name, host, token and
    /// trust required) or as an edit of <paramref name="existing"/> (absent fields keep their value).
    /// </summary>
    public static ServerInputResult? Validate(ServerRequest request, ServerRecord? existing, FieldErrors errors, InventoryOptions inventory)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(inventory);
        var creating = existing is null;

        var name = request.Name is null ? existing?.Name : request.Name.Trim();
        if (errors.Check(!string.IsNullOrEmpty(name), "name", "A name is required."))
        {
            errors.MaxLength(name, MaxName, "name");
        }

        var host = request.Host is null ? existing?.Host : NormalizeHost(request.Host);
        if (errors.Check(!string.IsNullOrEmpty(host), "host", "A host name or IP address is required."))
        {
            errors.Check(IsHost(host!), "host", "Not a host name or IP address (no scheme, path or port: e.g. pve1.example.com or 192.0.2.10).");
        }

        var port = request.Port ?? existing?.Port ?? DefaultPort;
        errors.Range(port, 1, 65535, "port");

        string? token = null;
        var tokenId = existing?.TokenId;
        // On edit a blank token keeps the stored one, as the prototype's form did.
        if (creating || !string.IsNullOrWhiteSpace(request.ApiToken))
        {
            try
            {
                var parsed = ProxmoxApiToken.Parse(request.ApiToken ?? "");
                token = request.ApiToken!.Trim();
                tokenId = parsed.TokenId;
            }
            catch (FormatException ex)
            {
                // The parser's messages name the token id at most, never the secret.
                errors.Add("apiToken", ex.Message);
            }
        }

        var (trustMode, pins, caPem) = Trust(request.Trust, existing, errors);

        string? secondaryHost = existing?.SecondaryHost;
        int? secondaryPort = existing?.SecondaryPort;
        if (request.SecondaryHost is not null)
        {
            secondaryHost = request.SecondaryHost.Trim().Length == 0 ? null : NormalizeHost(request.SecondaryHost);
            secondaryPort = secondaryHost is null ? null : request.SecondaryPort ?? existing?.SecondaryPort ?? DefaultPort;
        }
        else if (request.SecondaryPort is not null)
        {
            errors.Check(secondaryHost is not null, "secondaryPort", "A secondary port needs a secondary host.");
            secondaryPort = request.SecondaryPort;
        }
        if (secondaryHost is not null)
        {
            errors.Check(IsHost(secondaryHost), "secondaryHost", "Not a host name or IP address.");
            errors.Range(secondaryPort, 1, 65535, "secondaryPort");
            errors.Check(!(string.Equals(secondaryHost, host, StringComparison.OrdinalIgnoreCase) && secondaryPort == port),
                "secondaryHost", "The secondary endpoint is the same as the primary.");
        }

        var timeout = request.ConnectionTimeoutMs is { } t ? (t == 0 && !creating ? null : t) : existing?.ConnectionTimeoutMs;
        errors.Range(timeout, 5000, 120000, "connectionTimeoutMs");
        var poll = request.PollIntervalSeconds is { } p ? (p == 0 && !creating ? null : p) : existing?.PollIntervalSeconds;
        errors.Range(poll, inventory.MinimumPollIntervalSeconds, InventoryOptions.MaximumPollIntervalSeconds, "pollIntervalSeconds");

        if (errors.Any)
        {
            return null;
        }
        return new ServerInputResult(
            new ServerDraft(name!, host!, port, secondaryHost, secondaryPort, tokenId ?? "", trustMode!.Value, pins, caPem,
                request.IsActive ?? existing?.IsActive ?? true, poll, timeout),
            token);
    }

    /// <summary>The names of the values that differ (for the audit log: names only, never values).</summary>
    public static IReadOnlyList<string> Changes(ServerDraft before, ServerDraft after, bool tokenReplaced)
    {
        var changed = new List<string>();
        void Add(bool differs, string field)
        {
            if (differs)
            {
                changed.Add(field);
            }
        }
        Add(before.Name != after.Name, "name");
        Add(before.Host != after.Host, "host");
        Add(before.Port != after.Port, "port");
        Add(before.SecondaryHost != after.SecondaryHost || before.SecondaryPort != after.SecondaryPort, "secondary");
        Add(tokenReplaced, "apiToken");
        Add(before.TrustMode != after.TrustMode || !before.PinnedFingerprints.SequenceEqual(after.PinnedFingerprints) || before.CaPem != after.CaPem, "trust");
        Add(before.IsActive != after.IsActive, "isActive");
        Add(before.ConnectionTimeoutMs != after.ConnectionTimeoutMs, "connectionTimeoutMs");
        Add(before.PollIntervalSeconds != after.PollIntervalSeconds, "pollIntervalSeconds");
        return changed;
    }

    public static string NormalizeHost(string host) => host.Trim().TrimStart('[').TrimEnd(']');

    public static bool IsHost(string host) =>
        host.Length is > 0 and <= 253 && Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6;

    private static (ServerTrustMode? Mode, IReadOnlyList<string> Pins, string? CaPem) Trust(ServerTrustRequest? trust, ServerRecord? existing, FieldErrors errors)
    {
        if (trust is null)
        {
            if (existing is null)
            {
                errors.Add("trust", TrustRequired);
                return (null, [], null);
            }
            return (existing.TrustMode, existing.PinnedFingerprints, existing.CaPem);
        }
        var mode = ServerTrustModes.Parse(trust.Mode);
        switch (mode)
        {
            case ServerTrustMode.Pinned:
                var pins = new List<string>();
                if (trust.Fingerprints is not { Count: > 0 })
                {
                    errors.Add("trust.fingerprints", "Pinning needs at least one SHA-256 fingerprint (probe the server with POST /api/servers/probe-certificate).");
                }
                else if (trust.Fingerprints.Count > MaxPins)
                {
                    errors.Add("trust.fingerprints", $"At most {MaxPins} fingerprints.");
                }
                else
                {
                    foreach (var fingerprint in trust.Fingerprints)
                    {
                        try
                        {
                            var normalized = CertificateFingerprint.Normalize(fingerprint ?? "");
                            if (!pins.Contains(normalized))
                            {
                                pins.Add(normalized);
                            }
                        }
                        catch (FormatException ex)
                        {
                            errors.Add("trust.fingerprints", ex.Message);
                        }
                    }
                }
                errors.Check(trust.CaPem is null, "trust.caPem", "Only with mode 'ca'.");
                return (mode, pins, null);
            case ServerTrustMode.ClusterCa:
                errors.Check(trust.Fingerprints is not { Count: > 0 }, "trust.fingerprints", "Only with mode 'pinned'.");
                if (string.IsNullOrWhiteSpace(trust.CaPem))
                {
                    errors.Add("trust.caPem", "The cluster CA certificate (PEM, pve-root-ca.pem) is required.");
                }
                else if (trust.CaPem.Length > MaxCaPem)
                {
                    errors.Add("trust.caPem", $"At most {MaxCaPem} characters.");
                }
                else
                {
                    try
                    {
                        _ = ProxmoxTrust.ClusterCa(trust.CaPem);
                    }
                    catch (Exception ex) when (ex is ArgumentException or CryptographicException)
                    {
                        errors.Add("trust.caPem", "Not a PEM certificate.");
                    }
                }
                return (mode, [], trust.CaPem?.Trim());
            case ServerTrustMode.SystemStore:
                errors.Check(trust.Fingerprints is not { Count: > 0 }, "trust.fingerprints", "Only with mode 'pinned'.");
                errors.Check(trust.CaPem is null, "trust.caPem", "Only with mode 'ca'.");
                return (mode, [], null);
            default:
                errors.Add("trust.mode", "One of 'pinned', 'ca', 'system'.");
                return (null, [], null);
        }
    }
}
