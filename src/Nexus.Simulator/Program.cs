using Microsoft.Extensions.Configuration;
using Nexus.Simulator.Benchmarks;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;

// Runnable: dotnet run --project src/Nexus.Simulator -- --clusters 3 --nodes 3 --vms 40 [--admin-port 8005]
//           [--seed 42] [--snapshot-seconds 10] [--task-seconds 1.5] [--auth-delay-ms 3000] [--legacy-vnc-ticket]
//           [--legacy-errors] [--pve-version 9.2.11] [--quiet]
// Load harness: dotnet run --project src/Nexus.Simulator -- poll --admin http://127.0.0.1:8005/ [--interval 10] [--duration 60]
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
var config = new ConfigurationBuilder().AddCommandLine(WithFlagValues(verb == "serve" ? args : args[1..])).Build();

if (verb == "poll")
{
    return await PollHarness.RunAsync(
        new Uri(config["admin"] ?? "http://127.0.0.1:8005/"),
        TimeSpan.FromSeconds(config.GetValue("interval", 10.0)),
        TimeSpan.FromSeconds(config.GetValue("duration", 60.0)));
}
if (verb != "serve")
{
    Console.Error.WriteLine($"unknown verb '{verb}' (serve | poll)");
    return 2;
}

var options = new SimulatorOptions
{
    Clusters = config.GetValue("clusters", 3),
    NodesPerCluster = config.GetValue("nodes", 3),
    GuestsPerCluster = config.GetValue("vms", 40),
    Seed = config.GetValue("seed", 42),
    AdminPort = config.GetValue("admin-port", 8005),
    SnapshotInterval = TimeSpan.FromSeconds(config.GetValue("snapshot-seconds", 10.0)),
    TaskDuration = TimeSpan.FromSeconds(config.GetValue("task-seconds", 1.5)),
    AuthFailureDelay = TimeSpan.FromMilliseconds(config.GetValue("auth-delay-ms", 3000)),
    Profile = new ClusterProfile(
        PveVersion: config["pve-version"] ?? "9.2.11",
        LegacyVncTicket: config.GetValue("legacy-vnc-ticket", false),
        LegacyErrorBody: config.GetValue("legacy-errors", false)),
};

await using var simulator = await ProxmoxSimulator.StartAsync(options);
if (!config.GetValue("quiet", false))
{
    Console.WriteLine(simulator.Describe());
}
Console.WriteLine($"{simulator.Clusters.Count} cluster(s) running; Ctrl+C to stop.");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
return 0;

// The command-line provider wants "--key value": give bare switches such as "--quiet" the value "true".
static string[] WithFlagValues(string[] args)
{
    var result = new List<string>();
    for (var i = 0; i < args.Length; i++)
    {
        result.Add(args[i]);
        var isSwitch = args[i].StartsWith("--", StringComparison.Ordinal) && !args[i].Contains('=', StringComparison.Ordinal);
        if (isSwitch && (i + 1 == args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
        {
            result.Add("true");
        }
    }
    return [.. result];
}
