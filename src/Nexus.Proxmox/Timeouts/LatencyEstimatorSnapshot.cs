namespace Nexus.Proxmox.Timeouts;

/// <summary>
/// The persisted state of one <see cref="LatencyEstimator"/>: plain values, immutable, serializer-agnostic
/// (the server grain copies it into its own state and shows it in the API). Equality compares
/// <see cref="RecentMs"/> element by element, so a restored snapshot equals the original.
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
    double TimeoutMs)
{
    /// <summary>
    /// The latency window (ms, oldest first, at most <see cref="LatencyEstimator.Window"/>) behind the tail estimate.
    /// Optional: snapshots persisted before it existed restore without it.
    /// </summary>
    public IReadOnlyList<double>? RecentMs { get; init; }

    /// <summary>The timeout (ms) a still-unanswered attempt was cut at, to enter <see cref="RecentMs"/> with the next answer. Optional.</summary>
    public double? CensoredMs { get; init; }

    public bool Equals(LatencyEstimatorSnapshot? other) =>
        other is not null
        && Nullable.Equals(SmoothedMs, other.SmoothedMs)
        && VarianceMs.Equals(other.VarianceMs)
        && BackoffExponent == other.BackoffExponent
        && Samples == other.Samples
        && Timeouts == other.Timeouts
        && Nullable.Equals(LastUpdate, other.LastUpdate)
        && TimeoutMs.Equals(other.TimeoutMs)
        && Nullable.Equals(CensoredMs, other.CensoredMs)
        && (RecentMs ?? []).SequenceEqual(other.RecentMs ?? []);

    public override int GetHashCode() =>
        HashCode.Combine(SmoothedMs, VarianceMs, BackoffExponent, Samples, Timeouts, LastUpdate, TimeoutMs, RecentMs?.Count ?? 0);
}
