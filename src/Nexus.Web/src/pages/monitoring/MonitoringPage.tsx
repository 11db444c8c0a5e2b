import { useQueries, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Server } from '../../api/serverTypes';
import type { ServerStatus } from '../../api/vmTypes';
import { api } from '../../app/services';
import { bars, summarizeFleet, type Bar } from '../../monitoring/fleet';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { ServerHistory } from '../servers/ServerTools';
import { useTenant } from '../tenant/TenantLayout';

const metricsKey = (serverId: string) => ['server', serverId, 'metrics', '24h'];

/** The tenant's fleet at a glance: health counts and 24 h averages, servers side by side, one server's history. */
export default function MonitoringPage() {
  const { tenant, live, can } = useTenant();
  const servers = useQuery({
    queryKey: ['tenant', tenant.id, 'servers'],
    queryFn: () => api.servers.list(tenant.id),
    enabled: can.viewMonitoring,
    meta: { inlineErrors: true },
  });
  const list = servers.data ?? [];
  const metrics = useQueries({
    queries: list.map((s) => ({ queryKey: metricsKey(s.id), queryFn: () => api.servers.metrics(s.id, '24h'), meta: { inlineErrors: true } })),
  });
  // The live mirror holds every status and follows serverStatusChanged; without it (hub down), ask each server once.
  const liveStatuses = live.state?.servers;
  const polled = useQueries({
    queries: list.map((s) => ({
      queryKey: ['server', s.id, 'status'],
      queryFn: () => api.servers.status(s.id),
      enabled: !liveStatuses,
      meta: { inlineErrors: true },
    })),
  });
  const statuses: ServerStatus[] = liveStatuses ?? polled.flatMap((q) => (q.data ? [q.data] : []));
  const summary = summarizeFleet(
    list.map((s) => s.id),
    statuses,
    metrics.map((m) => m.data),
  );

  const [picked, setPicked] = useState<ReadonlySet<string> | null>(null);
  const compared = list.filter((s) => (picked ? picked.has(s.id) : true));
  const toggle = (id: string) => {
    const next = new Set(picked ?? list.map((s) => s.id));
    if (next.has(id)) {
      next.delete(id);
    } else {
      next.add(id);
    }
    setPicked(next);
  };
  const metricOf = (id: string) => metrics[list.findIndex((s) => s.id === id)]?.data;
  const rateBars = bars(compared.map((s) => ({ id: s.id, label: s.name, value: metricOf(s.id)?.summary.successRate ?? null })), 100);
  const latencyBars = bars(compared.map((s) => ({ id: s.id, label: s.name, value: metricOf(s.id)?.summary.avgLatencyMs ?? null })));

  const [historyId, setHistoryId] = useState<string>('');
  const history: Server | undefined = list.find((s) => s.id === historyId) ?? list[0];

  if (!can.viewMonitoring) {
    return <p role="alert">Only the tenant's members see its servers' health.</p>;
  }
  return (
    <section className="page">
      <div className="page-head">
        <h1>Monitoring</h1>
      </div>
      <ErrorNotice error={servers.error} />
      <div className="stat-cards" aria-label="Fleet summary">
        <Stat label="Servers" value={summary.total} />
        <Stat label="Online" value={summary.online} />
        <Stat label="Degraded" value={summary.degraded} />
        <Stat label="Offline" value={summary.offline} />
        <Stat label="Success rate (24 h)" value={summary.successRate === null ? '—' : `${summary.successRate.toFixed(1)} %`} />
        <Stat label="Average latency (24 h)" value={summary.avgLatencyMs === null ? '—' : `${summary.avgLatencyMs.toFixed(1)} ms`} />
      </div>

      {list.length > 0 && (
        <section className="card" aria-label="Comparison">
          <h2>Comparison (24 h)</h2>
          <fieldset className="server-picks">
            <legend>Servers</legend>
            {list.map((s) => (
              <label key={s.id}>
                <input type="checkbox" checked={picked ? picked.has(s.id) : true} onChange={() => toggle(s.id)} /> {s.name}
              </label>
            ))}
          </fieldset>
          <div className="grid">
            <Bars title="Success rate" unit="%" rows={rateBars} />
            <Bars title="Average latency" unit="ms" rows={latencyBars} />
          </div>
        </section>
      )}

      {history && (
        <>
          <label className="history-pick">
            History of{' '}
            <select aria-label="Server history" value={history.id} onChange={(e) => setHistoryId(e.target.value)}>
              {list.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <ServerHistory key={history.id} server={history} />
        </>
      )}
      {servers.isSuccess && list.length === 0 && <p className="muted">This tenant has no servers yet.</p>}
    </section>
  );
}

function Stat({ label, value }: { label: string; value: string | number }) {
  return (
    <div className="card stat-card" role="group" aria-label={label}>
      <span className="muted">{label}</span>
      <strong>{value}</strong>
    </div>
  );
}

function Bars({ title, unit, rows }: { title: string; unit: string; rows: Bar[] }) {
  return (
    <figure className="bars" aria-label={title}>
      <figcaption>{title}</figcaption>
      {rows.map((r) => (
        <div key={r.id} className="bar-row">
          <span className="bar-label">{r.label}</span>
          <span className="bar-track" aria-hidden="true">
            <span className="bar-fill" style={{ width: `${r.percent}%` }} />
          </span>
          <span className="bar-value">{r.value === null ? '—' : `${r.value.toFixed(1)} ${unit}`}</span>
        </div>
      ))}
    </figure>
  );
}
