using System.Globalization;
using System.Text.RegularExpressions;

namespace Nexus.Simulator.Api;

/// <summary>
/// A route's parameter schema, checked with pve-common JSONSchema.pm's rules and exact error texts: every
/// missing, malformed or unknown parameter is reported at once under <c>errors</c>.
/// </summary>
internal sealed partial class ParamSchema
{
    private readonly Dictionary<string, Spec> _specs = new(StringComparer.Ordinal);

    private enum Kind
    {
        String,
        Integer,
        Boolean,
        Enum,
        Node,
        Vmid,
    }

    private sealed record Spec(Kind Kind, bool Optional, long? Min = null, long? Max = null, int? MaxLength = null, string[]? Values = null);

    public static ParamSchema Create() => new();

    public ParamSchema Node() => Add("node", new Spec(Kind.Node, false));

    public ParamSchema Vmid() => Add("vmid", new Spec(Kind.Vmid, false));

    public ParamSchema Bool(string name) => Add(name, new Spec(Kind.Boolean, true));

    public ParamSchema Int(string name, long? min = null, long? max = null, bool optional = true) =>
        Add(name, new Spec(Kind.Integer, optional, min, max));

    public ParamSchema Str(string name, int? maxLength = null, bool optional = true) =>
        Add(name, new Spec(Kind.String, optional, MaxLength: maxLength));

    public ParamSchema Enum(string name, string[] values, bool optional = true) =>
        Add(name, new Spec(Kind.Enum, optional, Values: values));

    public Dictionary<string, string> Validate(IReadOnlyDictionary<string, string> values)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, spec) in _specs)
        {
            if (!values.TryGetValue(name, out var value))
            {
                if (!spec.Optional)
                {
                    errors[name] = "property is missing and it is not optional";
                }
                continue;
            }
            var error = Check(spec, value);
            if (error is not null)
            {
                errors[name] = error;
            }
        }
        foreach (var name in values.Keys)
        {
            if (!_specs.ContainsKey(name))
            {
                errors[name] = "property is not defined in schema and the schema does not allow additional properties";
            }
        }
        return errors;
    }

    /// <summary>pve-common JSONSchema::parse_boolean.</summary>
    public static bool? ParseBoolean(string value) => value.ToLowerInvariant() switch
    {
        "1" or "on" or "yes" or "true" => true,
        "0" or "off" or "no" or "false" => false,
        _ => null,
    };

    private static string? Check(Spec spec, string value)
    {
        switch (spec.Kind)
        {
            case Kind.Boolean:
                return ParseBoolean(value) is null ? $"type check ('boolean') failed - got '{value}'" : null;
            case Kind.Integer:
                if (!IntegerPattern().IsMatch(value) || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    return $"type check ('integer') failed - got '{value}'";
                }
                if (spec.Min is { } min && number < min)
                {
                    return $"value must have a minimum value of {min}";
                }
                if (spec.Max is { } max && number > max)
                {
                    return $"value must have a maximum value of {max}";
                }
                return null;
            case Kind.Enum:
                return spec.Values!.Contains(value, StringComparer.Ordinal)
                    ? null
                    : $"value '{value}' does not have a value in the enumeration '{string.Join(", ", spec.Values!)}'";
            case Kind.Node:
                return NodePattern().IsMatch(value) ? null : "invalid format - value does not look like a valid node name\n";
            case Kind.Vmid:
                return VmidPattern().IsMatch(value) ? null : "invalid format - value does not look like a valid VM ID\n";
            default:
                return spec.MaxLength is { } maxLength && value.Length > maxLength
                    ? $"value may only be {maxLength} characters long"
                    : null;
        }
    }

    private ParamSchema Add(string name, Spec spec)
    {
        _specs[name] = spec;
        return this;
    }

    [GeneratedRegex(@"^[+-]?\d+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9])$")]
    private static partial Regex NodePattern();

    // pve-common pve-vmid: 100 … 999999999.
    [GeneratedRegex(@"^[1-9][0-9]{2,8}$")]
    private static partial Regex VmidPattern();
}
