using Nexus.Simulator.Clusters;

namespace Nexus.Simulator.ConsoleApi;

/// <summary>
/// What a console back-end gets for one cluster when the simulator builds it through
/// <see cref="Hosting.SimulatorOptions.ConsoleFactory"/>: <see cref="Profile"/> carries
/// <see cref="ClusterProfile.LegacyVncTicket"/>; <see cref="CaCertificatePem"/> is what vncproxy's <c>cert</c> holds.
/// </summary>
public sealed record ConsoleClusterContext(
    string ClusterName,
    ClusterProfile Profile,
    string CaCertificatePem,
    IReadOnlyList<string> NodeNames,
    TimeProvider Clock,
    int Seed);
