using System.Text;

namespace Nexus.Data.Audit;

/// <summary>
/// RFC 4180 quoting, plus a leading apostrophe on cells that a spreadsheet would run as a formula
/// (OWASP "CSV injection"): audit cells hold user-typed names and user agents.
/// Hand-written: the rule is a few lines and no CSV library in the tree does the formula guard.
/// </summary>
internal static class AuditCsv
{
    public static string Line(params string?[] cells)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }
            line.Append(Cell(cells[i]));
        }
        return line.Append("\r\n").ToString();
    }

    private static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}
