using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Nexus.Data;

namespace Nexus.Host.Startup;

/// <summary>
/// Binds and validates an options class before the host is built. The same class is also registered with
/// <c>ValidateOnStart</c>, so there is one rule set; this copy exists because the database and the silo must be
/// configured from validated values before the container exists.
/// </summary>
internal static class StartupOptions
{
    public static T BindAndValidate<T>(IConfiguration configuration, string section) where T : class, new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new NexusStartupException($"{section}: {ex.Message}");
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            var first = results[0];
            var member = first.MemberNames.FirstOrDefault();
            var setting = member is null ? section : $"{section}:{member}";
            throw new NexusStartupException($"{setting}: {first.ErrorMessage}");
        }
        return options;
    }

    public static void Register<T>(IServiceCollection services, T validated) where T : class
    {
        services.AddSingleton(Options.Create(validated));
        services.AddSingleton(validated);
    }
}
