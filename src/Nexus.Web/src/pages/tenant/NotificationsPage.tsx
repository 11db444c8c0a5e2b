import { useQueries } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../app/services';
import { actionLabel, groupByDay, mergeEntries, timelineActions, type TimelineTab } from '../../monitoring/alertTimeline';
import { emptyAuditFilters } from '../../tenant/auditQuery';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { tenantKeys, useTenant } from './TenantLayout';

// The audit API filters on one action at a time; the newest hundred of each is the timeline's reach.
const perAction = 100;

const tabs: { id: TimelineTab; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'recovered', label: 'Recovered' },
];

/** Server alerts of the tenant from its audit log, by day; TenantLayout reloads it when an alert arrives live. */
export default function NotificationsPage() {
  const { tenant, can } = useTenant();
  const [tab, setTab] = useState<TimelineTab>('all');
  const pages = useQueries({
    queries: timelineActions.map((action) => ({
      queryKey: [...tenantKeys.alerts(tenant.id), action],
      queryFn: () => api.audit.page(tenant.id, { ...emptyAuditFilters, action }, null, perAction),
      enabled: can.viewAudit,
      meta: { inlineErrors: true },
    })),
  });
  if (!can.viewAudit) {
    return <p role="alert">Only the tenant's administrators see its notifications.</p>;
  }
  const error = pages.find((p) => p.error)?.error ?? null;
  const days = groupByDay(
    mergeEntries(pages.map((p) => p.data?.items)),
    tab,
  );
  const loading = pages.some((p) => p.isPending);

  return (
    <section className="page">
      <div className="page-head">
        <h1>Notifications</h1>
      </div>
      <div className="tabs" role="tablist" aria-label="Alert kinds">
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'tab active' : 'tab'} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <ErrorNotice error={error} />
      {loading && <p role="status">Loading…</p>}
      {!loading && days.length === 0 && <p className="muted">No notifications.</p>}
      {days.map((d) => (
        <section key={d.day} className="timeline-day" aria-label={d.day}>
          <h2>{new Date(`${d.day}T12:00:00`).toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' })}</h2>
          <ul className="timeline">
            {d.entries.map((e) => (
              <li key={e.id} className={`timeline-entry timeline-${e.action}`}>
                <time dateTime={e.createdAt}>{new Date(e.createdAt).toLocaleTimeString()}</time>
                <strong>{actionLabel(e.action)}</strong>
                <span>{e.targetName ?? e.targetId}</span>
                {detail(e.details) && <span className="muted">{detail(e.details)}</span>}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}

/** The alert's numbers as the grain recorded them (alertType, successRate, averageLatencyMs, lastError). */
function detail(details: unknown): string | null {
  if (!details || typeof details !== 'object') {
    return null;
  }
  const d = details as { successRate?: number | null; averageLatencyMs?: number | null; lastError?: string | null; from?: string; to?: string };
  const parts: string[] = [];
  if (typeof d.successRate === 'number') {
    parts.push(`${d.successRate} % successful`);
  }
  if (typeof d.averageLatencyMs === 'number') {
    parts.push(`${d.averageLatencyMs} ms`);
  }
  if (d.from && d.to) {
    parts.push(`${d.from} → ${d.to}`);
  }
  if (d.lastError) {
    parts.push(d.lastError);
  }
  return parts.length ? parts.join(' · ') : null;
}
