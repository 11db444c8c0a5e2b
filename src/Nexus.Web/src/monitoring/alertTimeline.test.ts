import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../api/types';
import { groupByDay, mergeEntries } from './alertTimeline';

function entry(id: number, createdAt: string, action: string): AuditEntry {
  return {
    id, createdAt, action, outcome: 'success' as AuditEntry['outcome'], actorId: null, actorEmail: null, targetType: 'server',
    targetId: 's', targetName: 'pve-a', details: {}, clientIp: null, userAgent: null,
  };
}

describe('groupByDay', () => {
  const entries = [
    entry(4, '2026-11-26T09:00:00Z', 'server_recovered'),
    entry(3, '2026-11-26T08:00:00Z', 'server_offline'),
    entry(2, '2026-11-25T23:30:00Z', 'server_degraded'),
    entry(1, '2026-11-25T10:00:00Z', 'tenant_updated'),
  ];

  it('groups the server alerts by UTC day, newest first, and leaves other actions out', () => {
    const days = groupByDay(entries, 'all', 0);
    expect(days.map((d) => [d.day, d.entries.map((e) => e.id)])).toEqual([
      ['2026-11-26', [4, 3]],
      ['2026-11-25', [2]],
    ]);
  });

  it('uses the viewer time zone for the day', () => {
    // UTC+1 (offset -60): 23:30 UTC on the 25th is already the 26th.
    expect(groupByDay(entries, 'all', -60).map((d) => d.entries.length)).toEqual([3]);
  });

  it('shows only alerts or only recoveries in those tabs', () => {
    expect(groupByDay(entries, 'alerts', 0).flatMap((d) => d.entries.map((e) => e.id))).toEqual([3, 2]);
    expect(groupByDay(entries, 'recovered', 0).flatMap((d) => d.entries.map((e) => e.id))).toEqual([4]);
  });
});

describe('mergeEntries', () => {
  it('merges the per-action pages newest first without duplicates', () => {
    const merged = mergeEntries([[entry(1, '2026-11-25T10:00:00Z', 'server_offline')], undefined, [entry(3, '2026-11-26T10:00:00Z', 'server_recovered'), entry(1, '2026-11-25T10:00:00Z', 'server_offline')]]);
    expect(merged.map((e) => e.id)).toEqual([3, 1]);
  });
});
