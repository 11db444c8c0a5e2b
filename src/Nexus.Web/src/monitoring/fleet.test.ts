import { describe, expect, it } from 'vitest';
import type { ServerMetrics } from '../api/serverTypes';
import type { ServerStatus } from '../api/vmTypes';
import { bars, healthBucket, summarizeFleet } from './fleet';

function status(serverId: string, health: string): ServerStatus {
  return {
    serverId, tenantId: 't', health, activeEndpoint: 'primary', lastPollAt: null, lastSuccessAt: null, lastError: null,
    successRatePercent: 100, averageLatencyMs: null, proxmoxVersion: null, nodeCount: 1, guestCount: 0, name: serverId,
  };
}

function metrics(attempts: number, successes: number, avgLatencyMs: number | null): ServerMetrics {
  return {
    serverId: 's', range: '24h', hours: [], timeouts: [],
    summary: { attempts, successes, successRate: attempts ? (100 * successes) / attempts : null, avgLatencyMs },
  };
}

describe('summarizeFleet', () => {
  it('counts servers by health, a server without status as other', () => {
    const s = summarizeFleet(['a', 'b', 'c', 'd', 'e'], [status('a', 'online'), status('b', 'Offline'), status('c', 'degraded'), status('d', 'disabled')], []);
    expect(s).toMatchObject({ total: 5, online: 1, offline: 1, degraded: 1, other: 2 });
  });

  it('weights the success rate by polls and the latency by successful polls', () => {
    const s = summarizeFleet(['a', 'b'], [], [metrics(100, 100, 10), metrics(300, 0, null), metrics(100, 50, 40)]);
    expect(s.successRate).toBe(30);
    expect(s.avgLatencyMs).toBe(20);
  });

  it('has no averages before any poll', () => {
    const s = summarizeFleet(['a'], [], [undefined, metrics(0, 0, null)]);
    expect(s.successRate).toBeNull();
    expect(s.avgLatencyMs).toBeNull();
  });
});

describe('bars', () => {
  it('scales to the largest value unless a maximum is given', () => {
    expect(bars([{ id: 'a', label: 'a', value: 50 }, { id: 'b', label: 'b', value: 200 }]).map((b) => b.percent)).toEqual([25, 100]);
    expect(bars([{ id: 'a', label: 'a', value: 50 }], 100)[0].percent).toBe(50);
  });

  it('draws no bar for a missing value or an all-zero scale', () => {
    expect(bars([{ id: 'a', label: 'a', value: null }, { id: 'b', label: 'b', value: 0 }]).map((b) => b.percent)).toEqual([0, 0]);
  });
});

describe('healthBucket', () => {
  it('folds unknown and disabled into other', () => {
    expect(['online', 'unknown', 'disabled', undefined].map(healthBucket)).toEqual(['online', 'other', 'other', 'other']);
  });
});
