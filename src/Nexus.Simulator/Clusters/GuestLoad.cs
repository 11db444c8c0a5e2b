namespace Nexus.Simulator.Clusters;

/// <summary>
/// A guest's synthetic workload as closed-form functions of time, so any endpoint can read "now" (or any
/// past RRD step) without a ticking background loop: CPU and memory wave around a base with per-10 s noise;
/// I/O rates wave and never drop below half their base, so the cumulative counters (their integrals) only grow.
/// </summary>
internal sealed record GuestLoad(
    double CpuBase, double CpuSwing, double PeriodSeconds, double Phase, double MemShare,
    double NetIn, double NetOut, double DiskRead, double DiskWrite, double DiskShare, ulong Salt)
{
    private double Omega => 2 * Math.PI / PeriodSeconds;

    public static GuestLoad Random(Random random) => new(
        CpuBase: 0.01 + random.NextDouble() * 0.35,
        CpuSwing: random.NextDouble() * 0.15,
        PeriodSeconds: 300 + random.NextDouble() * 3300,
        Phase: random.NextDouble() * 2 * Math.PI,
        MemShare: 0.25 + random.NextDouble() * 0.6,
        NetIn: 500 + random.NextDouble() * 2_000_000,
        NetOut: 300 + random.NextDouble() * 800_000,
        DiskRead: 1_000 + random.NextDouble() * 3_000_000,
        DiskWrite: 1_000 + random.NextDouble() * 2_000_000,
        DiskShare: 0.1 + random.NextDouble() * 0.6,
        Salt: (ulong)random.NextInt64());

    /// <summary>Fraction (0..1) of the guest's vCPUs in use at unix time <paramref name="t"/>.</summary>
    public double Cpu(double t)
    {
        var step = (long)Math.Floor(t / 10);
        var raw = CpuBase + CpuSwing * Math.Sin(Omega * t + Phase) + 0.04 * (Noise(step) - 0.5);
        // Keep the edges noisy too: a real idle guest reports 0.00031…, never a round clamp value.
        return raw < 0.001 ? 0.000_2 + 0.000_8 * Noise(step + 3)
            : raw > 0.99 ? 0.99 + 0.009_9 * Noise(step + 5)
            : raw;
    }

    public double MemFraction(double t) =>
        Math.Clamp(MemShare + 0.05 * Math.Sin(Omega * t * 0.5 + Phase) + 0.01 * (Noise((long)Math.Floor(t / 10) + 7) - 0.5), 0.02, 0.99);

    /// <summary>Bytes per second of a stream (an RRD DERIVE value).</summary>
    public double Rate(double baseRate, int stream, double t) =>
        baseRate * (1 + 0.5 * Math.Sin(Omega * t + Phase + stream));

    /// <summary>Bytes since <paramref name="from"/>: the integral of <see cref="Rate"/>.</summary>
    public long Counter(double baseRate, int stream, double from, double to)
    {
        if (to <= from)
        {
            return 0;
        }
        var p = Phase + stream;
        var integral = (to - from) - 0.5 / Omega * (Math.Cos(Omega * to + p) - Math.Cos(Omega * from + p));
        return (long)(baseRate * integral);
    }

    private double Noise(long step)
    {
        // splitmix64: cheap, stateless, deterministic per (guest, step).
        var z = Salt + (ulong)step * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
