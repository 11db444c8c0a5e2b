using Nexus.Data.Access;
using Nexus.Host.Cluster;
using Nexus.Host.Database;
using Nexus.Host.Health;
using Nexus.Host.Identity;
using Nexus.Host.Observability;
using Nexus.Host.Startup;
using Nexus.Host.Web;

namespace Nexus.Host;

/// <summary>Hooks for tests and tools that host Nexus in-process; the normal run passes none.</summary>
internal sealed class NexusHostCustomization
{
    public Action<ISiloBuilder>? ConfigureSilo { get; init; }
    public Action<WebApplicationBuilder>? ConfigureBuilder { get; init; }
}

/// <summary>Composes the Nexus process: database first, then the co-hosted silo, then the web endpoints.</summary>
internal static class NexusApplication
{
    public static async Task<WebApplication> BuildAsync(string[] args, NexusHostCustomization? customization = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        customization?.ConfigureBuilder?.Invoke(builder);

        var dataFolder = new NexusDataFolder(builder.Configuration);
        builder.Services.AddSingleton(dataFolder);
        var database = StartupOptions.BindAndValidate<DatabaseOptions>(builder.Configuration, DatabaseOptions.Section);
        database.DataDirectory ??= Path.Combine(dataFolder.Root, "postgres");
        var silo = StartupOptions.BindAndValidate<SiloOptions>(builder.Configuration, SiloOptions.Section);
        StartupOptions.Register(builder.Services, database);
        StartupOptions.Register(builder.Services, silo);
        var observability = builder.AddNexusObservability();
        PortCheck.EnsureFree(silo);

        using var bootstrapLoggers = LoggerFactory.Create(b => b.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole());
        var connection = await DatabaseBootstrap.PrepareAsync(database, database.MigrateOnStartup, bootstrapLoggers, ct);
        builder.Services.AddSingleton(connection);
        builder.Services.AddNexusData(await DatabaseBootstrap.PrepareRolesAsync(builder.Configuration, connection, bootstrapLoggers, ct));
        // Registered before the silo so that it stops after it.
        builder.Services.AddHostedService<EmbeddedDatabaseLifetime>();

        builder.AddNexusSilo(silo, connection.ConnectionString, customization?.ConfigureSilo, observability);

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = CallerLoader.DescribeRefusal);
        builder.Services.AddNexusHealth();
        builder.Services.AddNexusForwardedHeaders(builder.Configuration);
        builder.Services.AddNexusApi(builder.Configuration);

        var app = builder.Build();
        // First: every later middleware (throttling, audit, the console origin check) sees the real client.
        app.UseForwardedHeaders();
        app.UseNexusSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = WebClientCaching });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapNexusHealth();
        app.MapNexusApi();
        app.MapNexusObservability(observability);
        // Client-side routes (/t/…/settings) get the app's index.html; only GET/HEAD, so the API's 405s stay 405s.
        app.MapFallback(ServeWebClient).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"])).ExcludeFromDescription();
        return app;
    }

    // The web client (src/Nexus.Web, built into wwwroot): Vite names assets by content hash, so they never change
    // under their name; index.html names the current ones and is revalidated on every load.
    private static void WebClientCaching(Microsoft.AspNetCore.StaticFiles.StaticFileResponseContext context) =>
        context.Context.Response.Headers.CacheControl = context.Context.Request.Path.StartsWithSegments("/assets")
            ? "public, max-age=31536000, immutable"
            : "no-cache";

    private static IResult ServeWebClient(HttpContext context, IWebHostEnvironment environment)
    {
        var path = context.Request.Path;
        // Unknown API and hub paths, and missing files, stay 404 ProblemDetails rather than an HTML page.
        var isClientRoute = !path.StartsWithSegments("/api") && !path.StartsWithSegments("/hubs") && !Path.HasExtension(path.Value);
        var index = environment.WebRootFileProvider.GetFileInfo("index.html");
        if (!isClientRoute || !index.Exists || index.PhysicalPath is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: isClientRoute ? "The web client is not built (src/Nexus.Web)." : "There is nothing at this address.");
        }
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.PhysicalFile(index.PhysicalPath, "text/html; charset=utf-8", lastModified: index.LastModified);
    }
}
