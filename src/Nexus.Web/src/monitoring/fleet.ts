import type { ServerMetrics } from '../api/serverTypes';
import type { ServerStatus } from '../api/vmTypes';

export type HealthBucket = 'online' | 'offline' | 'degraded' | 'other';

/** The API's ServerHealth name (unknown, online, degraded, offline, disabled) folded into the cards' buckets. */
export function healthBucket(health: string | null | undefined): HealthBucket {
  const h = (health ?? '').toLowerCase();
  return h === 'online' || h === 'offline' || h === 'degraded' ? h : 'other';
}

export interface FleetSummary {
  total: number;
  online: number;
  offline: number;
  degraded: number;
  /** Other: unknown (not polled yet) or disabled. */
  other: number;
  /** Percent over every poll of the last 24 h of every server, so a busy server weighs more than an idle one. */
  successRate: number | null;
  /** Milliseconds, weighted by successful polls (the only ones with a latency). */
  avgLatencyMs: number | null;
}

/**
 * The monitoring cards: counts by health of the tenant's servers (a server without a status counts as other), and
 * the 24 h averages from the metrics summaries that have loaded.
 */
export function summarizeFleet(serverIds: readonly string[], statuses: readonly ServerStatus[], metrics: readonly (ServerMetrics | undefined)[]): FleetSummary {
  const byId = new Map(statuses.map((s) => [s.serverId, s]));
  const summary: FleetSummary = { total: serverIds.length, online: 0, offline: 0, degraded: 0, other: 0, successRate: null, avgLatencyMs: null };
  for (const id of serverIds) {
    summary[healthBucket(byId.get(id)?.health)]++;
  }
  let attempts = 0;
  let successes = 0;
  let latencyWeight = 0;
  let latencySum = 0;
  for (const m of metrics) {
    if (!m) {
      continue;
    }
    attempts += m.summary.attempts;
    successes += m.summary.successes;
    if (m.summary.avgLatencyMs !== null && m.summary.successes > 0) {
      latencyWeight += m.summary.successes;
      latencySum += m.summary.avgLatencyMs * m.summary.successes;
    }
  }
  summary.successRate = attempts === 0 ? null : round1((100 * successes) / attempts);
  summary.avgLatencyMs = latencyWeight === 0 ? null : round1(latencySum / latencyWeight);
  return summary;
}

export interface Bar {
  id: string;
  label: string;
  value: number | null;
  /** 0..100: the bar's length as a share of the scale. */
  percent: number;
}

/** Horizontal bars on one scale: a fixed maximum (success rate: 100) or the largest value (latency). */
export function bars(rows: readonly { id: string; label: string; value: number | null }[], fixedMax?: number): Bar[] {
  const max = fixedMax ?? Math.max(0, ...rows.map((r) => r.value ?? 0));
  return rows.map((r) => ({
    ...r,
    percent: r.value === null || max <= 0 ? 0 : Math.min(100, Math.max(0, (100 * r.value) / max)),
  }));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
