namespace Nexus.Simulator.Faults;

/// <summary>How injected latency is drawn for each request.</summary>
public enum LatencyKind
{
    None,

    /// <summary>Always <see cref="FaultSettings.Latency"/>.</summary>
    Fixed,

    /// <summary>Normal around <see cref="FaultSettings.Latency"/> with <see cref="FaultSettings.LatencyStdDev"/>, never below zero.</summary>
    Normal,

    /// <summary><see cref="FaultSettings.Latency"/>, plus <see cref="FaultSettings.TailLatency"/> for a <see cref="FaultSettings.TailProbability"/> share of requests.</summary>
    LongTail,
}

/// <summary>
/// Faults applied to one listener (or to both listeners of a cluster). Immutable: swap a whole value in
/// <see cref="FaultControl"/>. The default value injects nothing.
/// </summary>
public sealed record FaultSettings
{
    public static readonly FaultSettings None = new();

    public LatencyKind LatencyKind { get; init; }
    public TimeSpan Latency { get; init; }
    public TimeSpan LatencyStdDev { get; init; }
    public double TailProbability { get; init; } = 0.05;
    public TimeSpan TailLatency { get; init; }

    /// <summary>Accept connections and never answer (not even the TLS handshake); open keep-alive connections stop answering too.</summary>
    public bool Hang { get; init; }

    /// <summary>Share (0..1) of requests answered with <see cref="ErrorStatusCode"/> instead of being served.</summary>
    public double ErrorRate { get; init; }

    public int ErrorStatusCode { get; init; } = 500;

    /// <summary>Close the listening socket so connects are refused; open connections are aborted.</summary>
    public bool RefuseConnections { get; init; }

    /// <summary>When above zero, response bodies trickle out at this many bytes per second.</summary>
    public int SlowResponseBytesPerSecond { get; init; }

    internal TimeSpan SampleLatency(Random random)
    {
        switch (LatencyKind)
        {
            case LatencyKind.Fixed:
                return Latency;
            case LatencyKind.Normal:
                // Box–Muller.
                var u1 = 1.0 - random.NextDouble();
                var u2 = random.NextDouble();
                var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                return TimeSpan.FromTicks(Math.Max(0, (long)(Latency.Ticks + z * LatencyStdDev.Ticks)));
            case LatencyKind.LongTail:
                return random.NextDouble() < TailProbability ? Latency + TailLatency : Latency;
            default:
                return TimeSpan.Zero;
        }
    }
}

/// <summary>The live fault switch of a listener or cluster; safe to flip from any thread at any time.</summary>
public sealed class FaultControl
{
    private FaultSettings _settings = FaultSettings.None;

    public FaultSettings Settings => Volatile.Read(ref _settings);

    internal event Action? Changed;

    public void Set(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Volatile.Write(ref _settings, settings);
        Changed?.Invoke();
    }

    public void Update(Func<FaultSettings, FaultSettings> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Set(change(Settings));
    }

    public void Clear() => Set(FaultSettings.None);
}
