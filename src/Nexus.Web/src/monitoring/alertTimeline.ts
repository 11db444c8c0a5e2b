import type { AuditEntry } from '../api/types';

/** The server-health actions of the audit log (Nexus.Grains/Audit/GrainAuditActions.cs). */
export const alertActions = ['server_offline', 'server_degraded', 'server_endpoint_switched'] as const;
export const recoveryActions = ['server_recovered'] as const;
export const timelineActions: readonly string[] = [...alertActions, ...recoveryActions];

export type TimelineTab = 'all' | 'alerts' | 'recovered';

export function inTab(entry: AuditEntry, tab: TimelineTab): boolean {
  if (tab === 'alerts') {
    return (alertActions as readonly string[]).includes(entry.action);
  }
  if (tab === 'recovered') {
    return (recoveryActions as readonly string[]).includes(entry.action);
  }
  return timelineActions.includes(entry.action);
}

export interface TimelineDay {
  /** YYYY-MM-DD in the viewer's time zone. */
  day: string;
  entries: AuditEntry[];
}

/** The pages of each action's query merged, duplicates dropped, newest first. */
export function mergeEntries(pages: readonly (readonly AuditEntry[] | undefined)[]): AuditEntry[] {
  const byId = new Map<number, AuditEntry>();
  for (const page of pages) {
    for (const entry of page ?? []) {
      byId.set(entry.id, entry);
    }
  }
  return [...byId.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id);
}

/**
 * Newest-first entries in the tab, grouped by the calendar day they happened on where the viewer is
 * (`offsetMinutes`: Date#getTimezoneOffset's sign, injectable so tests need no time zone).
 */
export function groupByDay(entries: readonly AuditEntry[], tab: TimelineTab, offsetMinutes = new Date().getTimezoneOffset()): TimelineDay[] {
  const days: TimelineDay[] = [];
  for (const entry of entries) {
    if (!inTab(entry, tab)) {
      continue;
    }
    const local = new Date(Date.parse(entry.createdAt) - offsetMinutes * 60_000);
    const day = local.toISOString().slice(0, 10);
    const last = days[days.length - 1];
    if (last?.day === day) {
      last.entries.push(entry);
    } else {
      days.push({ day, entries: [entry] });
    }
  }
  return days;
}

const labels: Record<string, string> = {
  server_offline: 'Offline',
  server_degraded: 'Degraded',
  server_recovered: 'Recovered',
  server_endpoint_switched: 'Endpoint switched',
};

export function actionLabel(action: string): string {
  return labels[action] ?? action;
}
