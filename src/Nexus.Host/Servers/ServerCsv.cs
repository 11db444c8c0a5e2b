using System.Globalization;
using CsvHelper;

namespace Nexus.Host.Servers;

/// <summary>One data record of an import file: its line in the file and its values by (lower-case) column.</summary>
internal sealed record CsvServerRow(int Row, IReadOnlyDictionary<string, string> Values);

/// <summary>The records of an import file, the ones that could not be read, and the columns that were ignored.</summary>
internal sealed record CsvServerFile(IReadOnlyList<CsvServerRow> Rows, IReadOnlyList<(int Row, string Error)> Unreadable, IReadOnlyList<string> IgnoredColumns);

/// <summary>The whole file is refused (no header, a required column missing, too many rows).</summary>
internal sealed class CsvFileException(string message) : Exception(message);

/// <summary>
/// The prototype's server CSV (seed §1.12): required <c>name, host, api_token</c>; optional <c>port, verify_ssl,
/// use_tailscale, tailscale_hostname, tailscale_port, connection_timeout</c> (seconds); plus Nexus' <c>fingerprint</c>
/// (SHA-256 pins separated by <c>;</c>). RFC 4180 quoting (CsvHelper). A record with the wrong number of fields or
/// broken quoting is reported by its line instead of being dropped silently as the prototype did.
/// </summary>
internal static class ServerCsv
{
    public const int MaxRows = 1000;

    public static readonly IReadOnlyList<string> Required = ["name", "host", "api_token"];

    public static readonly IReadOnlyList<string> Optional =
        ["port", "verify_ssl", "use_tailscale", "tailscale_hostname", "tailscale_port", "connection_timeout", "fingerprint"];

    public static CsvServerFile Parse(byte[] bytes)
    {
        var unreadable = new List<(int, string)>();
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            DetectSeparatorHint = false,
            HasHeader = true,
            TrimWhitespace = true,
            TrackLineNumbers = true,
            // Values include API tokens: keep them out of any exception message.
            IncludeValuesInExceptions = false,
            MaxRecordSize = 64 * 1024,
            FieldCountMismatch = CsvFieldCountHandling.Skip,
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = record => unreadable.Add(((int)record.LineNumber, Describe(record.Reason))),
        };
        var rows = new List<CsvServerRow>();
        string[] headers;
        try
        {
            using var reader = CsvReader.Create(bytes, options);
            headers = reader.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
            var missing = Required.Where(r => !headers.Contains(r)).ToList();
            if (headers.Length == 0 || missing.Count > 0)
            {
                throw new CsvFileException(
                    $"The header must name the columns {string.Join(", ", Required)} (missing: {string.Join(", ", missing)}); optional: {string.Join(", ", Optional)}.");
            }
            while (reader.Read())
            {
                if (rows.Count + unreadable.Count >= MaxRows)
                {
                    throw new CsvFileException($"At most {MaxRows} servers per file.");
                }
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < headers.Length; i++)
                {
                    values.TryAdd(headers[i], reader.GetString(i));
                }
                rows.Add(new CsvServerRow((int)reader.LineNumber, values));
            }
        }
        catch (CsvFormatException ex)
        {
            throw new CsvFileException($"The file is not readable CSV near line {ex.LineNumber.ToString(CultureInfo.InvariantCulture)}.");
        }
        var ignored = headers.Where(h => !Required.Contains(h) && !Optional.Contains(h)).Distinct().ToList();
        return new CsvServerFile(rows, unreadable, ignored);
    }

    /// <summary>
    /// The request a record stands for. The prototype's <c>verify_ssl=false</c> meant "accept any certificate",
    /// which Nexus never does: such a record needs a fingerprint.
    /// </summary>
    public static ServerRequest? ToRequest(CsvServerRow row, out string? error)
    {
        ArgumentNullException.ThrowIfNull(row);
        var problems = new List<string>();
        string? Text(string column) => row.Values.TryGetValue(column, out var v) && v.Length > 0 ? v : null;
        int? Number(string column)
        {
            var text = Text(column);
            if (text is null)
            {
                return null;
            }
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }
            problems.Add($"{column}: '{text}' is not a whole number.");
            return null;
        }
        bool? Flag(string column)
        {
            var text = Text(column)?.ToLowerInvariant();
            switch (text)
            {
                case null:
                    return null;
                case "true" or "1" or "yes" or "y":
                    return true;
                case "false" or "0" or "no" or "n":
                    return false;
                default:
                    problems.Add($"{column}: '{text}' is not true or false.");
                    return null;
            }
        }

        var port = Number("port");
        var verifySsl = Flag("verify_ssl");
        var useTailscale = Flag("use_tailscale");
        var tailscaleHost = Text("tailscale_hostname");
        var tailscalePort = Number("tailscale_port");
        var timeoutSeconds = Number("connection_timeout");
        var pins = Text("fingerprint")?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        ServerTrustRequest trust;
        if (pins is { Length: > 0 })
        {
            trust = new ServerTrustRequest(ServerTrustModes.Pinned, pins, null);
        }
        else if (verifySsl == false)
        {
            problems.Add("verify_ssl=false: Nexus never accepts an unverified certificate. Pin the server instead: get its fingerprint " +
                "with POST /api/servers/probe-certificate {host, port} (or on the node: pvenode cert info) and put it in the fingerprint column.");
            trust = new ServerTrustRequest(ServerTrustModes.Pinned, null, null);
        }
        else
        {
            // The prototype's verify_ssl=true: the certificate must be valid for the system trust store.
            trust = new ServerTrustRequest(ServerTrustModes.System, null, null);
        }
        if (useTailscale == true && tailscaleHost is null)
        {
            problems.Add("use_tailscale=true needs tailscale_hostname.");
        }
        if (tailscalePort is not null && tailscaleHost is null)
        {
            problems.Add("tailscale_port needs tailscale_hostname.");
        }
        if (timeoutSeconds is { } seconds && seconds is < 5 or > 120)
        {
            problems.Add("connection_timeout: between 5 and 120 seconds.");
        }
        if (problems.Count > 0)
        {
            error = string.Join(" ", problems);
            return null;
        }
        error = null;
        return new ServerRequest(Text("name") ?? "", Text("host") ?? "", port, Text("api_token") ?? "", trust,
            tailscaleHost, tailscaleHost is null ? null : tailscalePort ?? ServerInput.DefaultPort, true,
            timeoutSeconds * 1000, null);
    }

    /// <summary>The request's field names as the file's columns, for per-row messages.</summary>
    public static string Column(string field) => field switch
    {
        "apiToken" => "api_token",
        "secondaryHost" => "tailscale_hostname",
        "secondaryPort" => "tailscale_port",
        "connectionTimeoutMs" => "connection_timeout",
        _ when field.StartsWith("trust", StringComparison.Ordinal) => "fingerprint",
        _ => field,
    };

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.FieldCountMismatch => "The record has a different number of fields than the header.",
        CsvMalformedReason.UnterminatedQuote => "A quoted field is never closed.",
        _ => $"Broken quoting ({reason}).",
    };
}
