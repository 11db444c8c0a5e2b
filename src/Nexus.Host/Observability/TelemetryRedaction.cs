using System.Diagnostics;
using OpenTelemetry;

namespace Nexus.Host.Observability;

/// <summary>
/// Takes query values out of every recorded span before an exporter sees it. The hub's JWT travels as
/// <c>?access_token=</c> (browsers cannot set WebSocket headers) and Proxmox's vncwebsocket URL carries a
/// <c>vncticket</c>. The instrumentations redact query values by default, but an environment variable turns that
/// off (OTEL_DOTNET_EXPERIMENTAL_*_DISABLE_URL_QUERY_REDACTION); this processor does not depend on it. It must be
/// registered before any exporter.
/// </summary>
internal sealed class TelemetryRedaction : BaseProcessor<Activity>
{
    private const string Redacted = "Redacted";

    public override void OnEnd(Activity data)
    {
        if (data.GetTagItem("url.query") is string query && query.Length > 0)
        {
            data.SetTag("url.query", RedactQuery(query));
        }
        if (data.GetTagItem("url.full") is string full && full.IndexOf('?', StringComparison.Ordinal) is var mark and >= 0)
        {
            data.SetTag("url.full", full[..mark] + RedactQuery(full[mark..]));
        }
        if (data.DisplayName.IndexOf('?', StringComparison.Ordinal) is var inName and >= 0)
        {
            data.DisplayName = data.DisplayName[..inName];
        }
    }

    /// <summary><c>?a=1&amp;b=2</c> → <c>?a=Redacted&amp;b=Redacted</c>: the names help debugging, the values (and a bare item) may be secrets.</summary>
    internal static string RedactQuery(string query)
    {
        var leading = query.StartsWith('?') ? "?" : "";
        var pairs = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? pair[..eq] + "=" + Redacted : Redacted);
        return leading + string.Join('&', pairs);
    }
}
