using System.Net;
using Nexus.Proxmox.Configuration;

namespace Nexus.Proxmox.Errors;

/// <summary>
/// A failed Proxmox call. HTTP failures carry the status, the reason phrase (pveproxy puts the first line of the
/// error there, and a 401 has no body at all) and the body's <c>message</c> / <c>errors</c> (PVE ≥ 8.4 only).
/// </summary>
public class ProxmoxException : Exception
{
    public ProxmoxException(string message)
        : base(message)
    {
        Errors = new Dictionary<string, string>();
    }

    public ProxmoxException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Errors = new Dictionary<string, string>();
    }

    public ProxmoxException()
        : this("The Proxmox call failed.")
    {
    }

    internal ProxmoxException(ProxmoxEndpoint? endpoint, int? statusCode, string? reasonPhrase, string? proxmoxMessage,
        IReadOnlyDictionary<string, string>? errors, string message, Exception? innerException)
        : base(message, innerException)
    {
        Endpoint = endpoint;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        ProxmoxMessage = proxmoxMessage;
        Errors = errors ?? new Dictionary<string, string>();
    }

    /// <summary>The endpoint that answered (or failed to).</summary>
    public ProxmoxEndpoint? Endpoint { get; }

    /// <summary>The HTTP status, including Proxmox's 595/596 proxy pseudo-codes; null when no response came.</summary>
    public int? StatusCode { get; }

    public string? ReasonPhrase { get; }

    /// <summary>The body's <c>message</c>, trimmed (absent before libpve-http-server-perl 5.2.0).</summary>
    public string? ProxmoxMessage { get; }

    /// <summary>The body's per-parameter <c>errors</c> (HTTP 400).</summary>
    public IReadOnlyDictionary<string, string> Errors { get; }

    /// <summary>How many attempts were made on the endpoint that failed last (retries included).</summary>
    public int Attempts { get; internal set; }

    internal static ProxmoxException FromResponse(ProxmoxEndpoint endpoint, HttpStatusCode status, string? reason,
        string? message, IReadOnlyDictionary<string, string>? errors, string path)
    {
        var code = (int)status;
        var text = FirstNonEmpty(message, reason, status.ToString());
        var details = errors is { Count: > 0 } ? " (" + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")) + ")" : string.Empty;
        var full = $"{endpoint} {path}: {code} {text}{details}";
        return code switch
        {
            401 => new ProxmoxAuthenticationException(endpoint, code, reason, message, errors, full),
            403 => new ProxmoxPermissionException(endpoint, code, reason, message, errors, full),
            400 => new ProxmoxBadRequestException(endpoint, code, reason, message, errors, full),
            404 or 501 => new ProxmoxNotFoundException(endpoint, code, reason, message, errors, full),
            // A missing guest is a handler die: "500 Configuration file 'nodes/pve1/qemu-server/100.conf' does not exist".
            500 when text.Contains("does not exist", StringComparison.OrdinalIgnoreCase) =>
                new ProxmoxNotFoundException(endpoint, code, reason, message, errors, full),
            _ => new ProxmoxServerException(endpoint, code, reason, message, errors, full),
        };
    }

    private static string FirstNonEmpty(params string?[] values) =>
        values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim() ?? string.Empty;
}

/// <summary>401: the token is wrong, unknown, expired, or its user is disabled (<c>Authentication failed!</c>).</summary>
public sealed class ProxmoxAuthenticationException : ProxmoxException
{
    internal ProxmoxAuthenticationException(ProxmoxEndpoint endpoint, int status, string? reason, string? message,
        IReadOnlyDictionary<string, string>? errors, string text)
        : base(endpoint, status, reason, message, errors, text, null)
    {
    }
}

/// <summary>403: the token lacks a privilege (<c>Permission check failed (/vms/100, VM.PowerMgmt)</c>).</summary>
public sealed class ProxmoxPermissionException : ProxmoxException
{
    internal ProxmoxPermissionException(ProxmoxEndpoint endpoint, int status, string? reason, string? message,
        IReadOnlyDictionary<string, string>? errors, string text)
        : base(endpoint, status, reason, message, errors, text, null)
    {
    }
}

/// <summary>400: parameter verification failed; <see cref="ProxmoxException.Errors"/> says which.</summary>
public sealed class ProxmoxBadRequestException : ProxmoxException
{
    internal ProxmoxBadRequestException(ProxmoxEndpoint endpoint, int status, string? reason, string? message,
        IReadOnlyDictionary<string, string>? errors, string text)
        : base(endpoint, status, reason, message, errors, text, null)
    {
    }
}

/// <summary>The path, node or guest does not exist (404, 501, or 500 "… does not exist").</summary>
public sealed class ProxmoxNotFoundException : ProxmoxException
{
    internal ProxmoxNotFoundException(ProxmoxEndpoint endpoint, int status, string? reason, string? message,
        IReadOnlyDictionary<string, string>? errors, string text)
        : base(endpoint, status, reason, message, errors, text, null)
    {
    }
}

/// <summary>Any other error status, typically a handler's <c>die</c> as 500 (<c>VM 100 not running</c>) or 595/596.</summary>
public sealed class ProxmoxServerException : ProxmoxException
{
    internal ProxmoxServerException(ProxmoxEndpoint endpoint, int status, string? reason, string? message,
        IReadOnlyDictionary<string, string>? errors, string text)
        : base(endpoint, status, reason, message, errors, text, null)
    {
    }
}
