namespace Nexus.Proxmox.Timeouts;

/// <summary>
/// The persisted state of one <see cref="LatencyEstimator"/>: plain values, immutable, serializer-agnostic
/// (the server grain copies it into its own state and shows it in the API).
/// </summary>
/// <param name="SmoothedMs">SRTT; null before the first sample.</param>
/// <param name="VarianceMs">RTTVAR.</param>
/// <param name="BackoffExponent">Consecutive timeouts since the last answer (the timeout is doubled this many times).</param>
/// <param name="Samples">Latencies learned from so far.</param>
/// <param name="Timeouts">Timeouts seen so far.</param>
/// <param name="LastUpdate">When a sample or timeout last changed the state.</param>
/// <param name="TimeoutMs">The timeout this state yields (for display; recomputed on restore).</param>
public sealed record LatencyEstimatorSnapshot(
    double? SmoothedMs,
    double VarianceMs,
    int BackoffExponent,
    long Samples,
    long Timeouts,
    DateTimeOffset? LastUpdate,
    double TimeoutMs);
