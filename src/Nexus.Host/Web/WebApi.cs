using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace Nexus.Host.Web;

/// <summary>Conventions shared by every API endpoint: JSON shape, ProblemDetails, the OpenAPI document.</summary>
internal static class WebApi
{
    private const string BearerScheme = "bearer";

    public static IServiceCollection AddNexusWebApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json =>
        {
            // Enums travel as their lower-case names ("admin", "viewer"), the same words the database stores.
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        });
        services.AddExceptionHandler<DataExceptionHandler>();
        services.AddOpenApi("v1", openApi =>
        {
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "Access token from POST /api/auth/login or /api/auth/refresh.",
                };
                return Task.CompletedTask;
            });
            // Only endpoints that require authorization carry the requirement; sign-in and refresh do not.
            openApi.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
                }
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c>.</summary>
    public static IEndpointRouteBuilder MapNexusOpenApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return endpoints;
    }
}
