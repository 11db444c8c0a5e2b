/** A line chart in plain SVG: a few hundred points need no chart library. */
export function Sparkline({ label, values, max }: { label: string; values: (number | null)[]; max?: number }) {
  const points = values.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  const top = max ?? Math.max(1, ...points.map((p) => p[1]));
  const width = Math.max(1, values.length - 1);
  const at = ([x, y]: readonly [number, number], dx = 0) =>
    `${Math.min(100, Math.max(0, (x / width) * 100 + dx)).toFixed(2)},${(100 - (y / top) * 100).toFixed(2)}`;
  // One point (a server added this hour) is no line: draw it as a short dash so the chart is not blank.
  const line = points.length === 1 ? `${at(points[0], -3)} ${at(points[0], 3)}` : points.map((p) => at(p)).join(' ');
  const last = points.at(-1)?.[1];
  return (
    <figure className="card">
      <figcaption>
        {label}
        {last !== undefined && <span className="muted"> · now {last.toFixed(1)}</span>}
      </figcaption>
      <svg className="chart" viewBox="0 0 100 100" preserveAspectRatio="none" role="img" aria-label={label}>
        <polyline points={line} />
      </svg>
    </figure>
  );
}
