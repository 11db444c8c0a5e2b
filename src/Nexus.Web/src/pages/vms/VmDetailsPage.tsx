import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { GuestType } from '../../api/vmTypes';
import { api } from '../../app/services';
import { vmKey } from '../../live/liveMirror';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { bytes, liveVmOf } from '../../vms/vmList';
import { useTenant } from '../tenant/TenantLayout';
import { PowerMenu } from './PowerMenu';
import { Sparkline } from './Sparkline';

const timeframes = ['hour', 'day', 'week', 'month', 'year'] as const;

/** One VM: its live state (from the tenant's live mirror when it has it), resources, RRD charts, tasks and actions. */
export default function VmDetailsPage() {
  const { tenant, live } = useTenant();
  const { serverId = '', type = 'qemu', vmid = '0' } = useParams();
  const guestType = type as GuestType;
  const id = Number(vmid);
  const [timeframe, setTimeframe] = useState<(typeof timeframes)[number]>('hour');
  const details = useQuery({ queryKey: ['vm', serverId, type, id], queryFn: () => api.vms.get(serverId, guestType, id), meta: { inlineErrors: true } });
  const rrd = useQuery({ queryKey: ['vm', serverId, type, id, 'rrd', timeframe], queryFn: () => api.vms.rrd(serverId, guestType, id, timeframe), meta: { inlineErrors: true } });
  const tasks = useQuery({ queryKey: ['vm', serverId, type, id, 'tasks'], queryFn: () => api.vms.tasks(serverId, guestType, id), refetchInterval: 5_000 });
  const liveVm = live.state?.vms.get(vmKey(serverId, type, id));

  if (details.error) {
    return <ErrorNotice error={details.error} />;
  }
  if (!details.data) {
    return <p role="status">Loading…</p>;
  }
  const row = details.data.vm;
  const vm = liveVm ?? liveVmOf(row);
  const g = vm.guest;
  const points = rrd.data?.data ?? [];
  return (
    <section className="page">
      <div className="page-head">
        <h1>{g.name}</h1>
        <div className="row-actions">
          <PowerMenu vm={vm} />
          {vm.permissions.includes('console') && g.status === 'running' && (
            <Link className="button" to="console">
              Console
            </Link>
          )}
        </div>
      </div>
      <dl className="facts card">
        <dt>Status</dt>
        <dd>
          <span className={`status status-${g.status}`}>{g.status}</span>
        </dd>
        <dt>ID / type</dt>
        <dd>
          {g.vmId} / {g.type}
        </dd>
        <dt>Server / node</dt>
        <dd>
          {row.serverName} / {g.node}
        </dd>
        <dt>CPU</dt>
        <dd>
          {(g.cpu * 100).toFixed(1)} % of {g.maxCpu} cores
        </dd>
        <dt>Memory</dt>
        <dd>
          {bytes(g.memory)} of {bytes(g.maxMemory)}
        </dd>
        <dt>Disk</dt>
        <dd>
          {bytes(g.disk)} of {bytes(g.maxDisk)}
        </dd>
        <dt>Uptime</dt>
        <dd>{Math.floor(g.uptime / 3600)} h</dd>
      </dl>
      <div className="actions" role="group" aria-label="Timeframe" style={{ justifyContent: 'flex-start' }}>
        {timeframes.map((t) => (
          <button key={t} type="button" className={t === timeframe ? 'primary' : ''} aria-pressed={t === timeframe} onClick={() => setTimeframe(t)}>
            {t}
          </button>
        ))}
      </div>
      {rrd.error && <ErrorNotice error={rrd.error} />}
      <div className="grid">
        <Sparkline label="CPU %" values={points.map((p) => p.cpu)} max={100} />
        <Sparkline label="Memory %" values={points.map((p) => p.memory)} max={100} />
        <Sparkline label="Network in (B/s)" values={points.map((p) => p.netIn)} />
        <Sparkline label="Network out (B/s)" values={points.map((p) => p.netOut)} />
        <Sparkline label="Disk read (B/s)" values={points.map((p) => p.diskRead)} />
        <Sparkline label="Disk write (B/s)" values={points.map((p) => p.diskWrite)} />
      </div>
      <h2>Tasks</h2>
      <table>
        <thead>
          <tr>
            <th>Action</th>
            <th>State</th>
            <th>Started</th>
            <th>Ended</th>
          </tr>
        </thead>
        <tbody>
          {(tasks.data ?? []).map((t) => (
            <tr key={t.taskId}>
              <td>{t.action}</td>
              <td>
                {t.state}
                {t.exitStatus ? ` (${t.exitStatus})` : ''}
              </td>
              <td>{new Date(t.startedAt).toLocaleString()}</td>
              <td>{t.endedAt ? new Date(t.endedAt).toLocaleString() : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <Link to={`/t/${tenant.id}/vms`}>All virtual machines</Link>
      </p>
    </section>
  );
}
