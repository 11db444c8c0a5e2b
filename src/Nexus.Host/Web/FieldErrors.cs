using Microsoft.AspNetCore.Http.HttpResults;

namespace Nexus.Host.Web;

/// <summary>Collects validation errors per field, answered as one <c>400</c> ValidationProblem (field → messages).</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    /// <summary>Adds an error unless <paramref name="ok"/>; returns <paramref name="ok"/>.</summary>
    public bool Check(bool ok, string field, string message)
    {
        if (!ok)
        {
            Add(field, message);
        }
        return ok;
    }

    public void MaxLength(string? value, int max, string field)
    {
        if (value is not null && value.Length > max)
        {
            Add(field, $"At most {max} characters.");
        }
    }

    public void Range(int? value, int min, int max, string field)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(field, $"Must be between {min} and {max}.");
        }
    }

    public ValidationProblem ToResult() =>
        TypedResults.ValidationProblem(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), title: "The request has invalid fields.");
}
