using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Nexus.Data;
using Nexus.Host;
using Nexus.Host.Startup;

// Verbs: (none) or "run" serves; "demo" serves with simulated Proxmox clusters and demo accounts; "migrate" applies pending sql/ scripts and exits; "rotate-keys" re-encrypts
// stored credentials with the active key and exits.
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
var rest = verb == "run" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..];

try
{
    return verb switch
    {
        "run" => await RunAsync(rest, null),
        "demo" => await Nexus.Host.Demo.DemoMode.RunAsync(rest, RunAsync),
        "migrate" => await Verbs.MigrateAsync(rest),
        "rotate-keys" => await Verbs.RotateKeysAsync(rest),
        _ => Usage(verb),
    };
}
catch (NexusStartupException ex)
{
    await Console.Error.WriteLineAsync($"Nexus failed to start: {ex.Message}");
    return 2;
}
catch (IOException ex) when (ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    await Console.Error.WriteLineAsync($"Nexus failed to start: Urls (--urls / ASPNETCORE_URLS): {ex.Message}");
    return 2;
}

static async Task<int> RunAsync(string[] args, NexusHostCustomization? customization)
{
    await using var app = await NexusApplication.BuildAsync(args, customization);
    app.Lifetime.ApplicationStarted.Register(() =>
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            Console.WriteLine($"Nexus is listening on {address}");
        }
    });
    await app.RunAsync();
    return 0;
}

static int Usage(string verb)
{
    Console.Error.WriteLine($"Unknown verb '{verb}'. Usage: Nexus.Host [run|demo|migrate|rotate-keys] [--Section:Key=value ...]");
    return 64;
}
