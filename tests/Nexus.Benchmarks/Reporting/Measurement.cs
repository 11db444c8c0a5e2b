namespace Nexus.Benchmarks.Reporting;

/// <summary>One measured figure of one scenario, with the target it is judged against (if any).</summary>
/// <param name="Scenario">Scenario id, e.g. <c>timeouts</c>.</param>
/// <param name="Case">What was measured under which conditions, e.g. <c>long-tail / learned</c>.</param>
/// <param name="Metric">Name of the figure, e.g. <c>detect dead endpoint</c>.</param>
/// <param name="Value">The figure.</param>
/// <param name="Unit">Unit of <paramref name="Value"/>.</param>
/// <param name="Target">Human-readable target, e.g. <c>≤ 474 ms (3 × p99)</c>; null when informational.</param>
/// <param name="Met">Whether the target is met; null when informational.</param>
internal sealed record Measurement(string Scenario, string Case, string Metric, double Value, string Unit, string? Target = null, bool? Met = null);
