using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Nexus.Host.Startup;

namespace Nexus.Host.Identity;

internal static class IdentityServices
{
    /// <summary>Authentication (JWT bearer, refresh tokens, throttling, lockout) and the first-run admin.</summary>
    public static IServiceCollection AddNexusIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        var options = StartupOptions.BindAndValidate<AuthOptions>(configuration, AuthOptions.Section);
        StartupOptions.Register(services, options);
        services.AddSingleton<SigningKey>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<SignIn>();
        services.AddSingleton<CallerCache>();
        services.TryAddSingleton(TimeProvider.System);
        LoginThrottle.AddPolicies(services, options);

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AccessTokens>((jwt, tokens) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = tokens.ValidationParameters();
                jwt.Events = new JwtBearerEvents { OnTokenValidated = CallerLoader.OnTokenValidatedAsync, OnChallenge = CallerLoader.OnChallengeAsync };
            });
        services.AddAuthorization();
        services.AddHostedService<BootstrapAdmin>();
        return services;
    }
}
