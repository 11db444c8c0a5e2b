import { useMemo, useState, type UIEvent } from 'react';
import { Link } from 'react-router';
import type { TenantStats } from '../../api/vmTypes';
import type { LiveVm } from '../../live/liveMirror';
import { useDebounced } from '../../ui/hooks';
import { bytes, listVms, visibleRange, type ListOptions, type SortKey } from '../../vms/vmList';
import { useTenant } from '../tenant/TenantLayout';
import { PowerMenu } from './PowerMenu';

const rowHeight = 36;

function Tiles({ stats, vms }: { stats: TenantStats | null; vms: LiveVm[] }) {
  const running = vms.filter((v) => v.guest.status === 'running').length;
  return (
    <div className="tiles">
      <div className="card tile">
        <span className="muted">Guests</span>
        <strong>{vms.length}</strong>
      </div>
      <div className="card tile">
        <span className="muted">Running</span>
        <strong>{running}</strong>
      </div>
      <div className="card tile">
        <span className="muted">Stopped</span>
        <strong>{vms.length - running}</strong>
      </div>
      {stats && (
        <>
          <div className="card tile">
            <span className="muted">Servers online</span>
            <strong>
              {stats.serversOnline} / {stats.serversTotal}
            </strong>
          </div>
          <div className="card tile">
            <span className="muted">CPU</span>
            <strong>{stats.cpu.percentage} %</strong>
          </div>
          <div className="card tile">
            <span className="muted">Memory</span>
            <strong>{stats.memory.percentage} %</strong>
          </div>
        </>
      )}
    </div>
  );
}

const columns: { key: SortKey | null; label: string }[] = [
  { key: 'vmid', label: 'ID' },
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'node', label: 'Node' },
  { key: 'cpu', label: 'CPU' },
  { key: 'mem', label: 'Memory' },
  { key: null, label: 'Type' },
  { key: null, label: 'Actions' },
];

/**
 * The tenant's dashboard: stat tiles and every VM, live. The snapshot holds the whole inventory, so search, filters
 * and sort run in the browser; the grid renders only the rows in view (fixed row height, so a hand-written window of
 * a dozen lines does what a virtualization library would).
 */
export default function VmsPage() {
  const { tenant, live } = useTenant();
  const [options, setOptions] = useState<ListOptions>({ search: '', status: '', type: '', sort: 'name', descending: false });
  const search = useDebounced(options.search, 150);
  const [scroll, setScroll] = useState({ top: 0, height: 600 });
  const all = useMemo(() => [...(live.state?.vms.values() ?? [])], [live.state]);
  const rows = useMemo(() => listVms(all, { ...options, search }), [all, options, search]);
  const { first, last } = visibleRange(scroll.top, scroll.height, rowHeight, rows.length);

  const onScroll = (e: UIEvent<HTMLDivElement>) => setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight });
  const sortBy = (key: SortKey) => setOptions((o) => ({ ...o, sort: key, descending: o.sort === key ? !o.descending : false }));

  return (
    <section className="page">
      <div className="page-head">
        <h1>Virtual machines</h1>
      </div>
      {!live.state ? (
        <p role="status">{live.connection === 'offline' ? 'The live connection failed; retrying…' : 'Loading virtual machines…'}</p>
      ) : (
        <>
          <Tiles stats={live.state.stats} vms={all} />
          <div className="filters">
            <label className="field">
              <span>Search</span>
              <input type="search" value={options.search} onChange={(e) => setOptions({ ...options, search: e.target.value })} />
            </label>
            <label className="field">
              <span>Status</span>
              <select value={options.status} onChange={(e) => setOptions({ ...options, status: e.target.value })}>
                <option value="">Any</option>
                <option value="running">running</option>
                <option value="stopped">stopped</option>
                <option value="paused">paused</option>
              </select>
            </label>
            <label className="field">
              <span>Type</span>
              <select value={options.type} onChange={(e) => setOptions({ ...options, type: e.target.value })}>
                <option value="">Any</option>
                <option value="qemu">VM (qemu)</option>
                <option value="lxc">Container (lxc)</option>
              </select>
            </label>
          </div>
          <p className="muted">
            {rows.length} of {all.length} guests
          </p>
          <div className="vm-grid" role="grid" aria-label="Virtual machines" aria-rowcount={rows.length + 1} onScroll={onScroll}>
            <div role="row" className="vm-head" aria-rowindex={1}>
              {columns.map((c) => (
                <div key={c.label} role="columnheader" aria-sort={c.key && options.sort === c.key ? (options.descending ? 'descending' : 'ascending') : undefined}>
                  {c.key ? (
                    <button type="button" className="sort-button" onClick={() => sortBy(c.key!)}>
                      {c.label}
                      {options.sort === c.key ? (options.descending ? ' ↓' : ' ↑') : ''}
                    </button>
                  ) : (
                    c.label
                  )}
                </div>
              ))}
            </div>
            <div style={{ height: rows.length * rowHeight, position: 'relative' }}>
              {rows.slice(first, last).map((vm, i) => (
                <VmGridRow key={`${vm.guest.serverId}/${vm.guest.type}/${vm.guest.vmId}`} vm={vm} index={first + i} tenantId={tenant.id} />
              ))}
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function VmGridRow({ vm, index, tenantId }: { vm: LiveVm; index: number; tenantId: string }) {
  const g = vm.guest;
  const path = `/t/${tenantId}/vms/${g.serverId}/${g.type}/${g.vmId}`;
  return (
    <div role="row" aria-rowindex={index + 2} data-vm={g.name} style={{ position: 'absolute', top: index * rowHeight, left: 0, right: 0 }}>
      <div role="gridcell">{g.vmId}</div>
      <div role="gridcell">
        <Link to={path}>{g.name}</Link>
      </div>
      <div role="gridcell">
        <span className={`status status-${g.status}`}>{g.status}</span>
      </div>
      <div role="gridcell">{g.node}</div>
      <div role="gridcell">{g.status === 'running' ? `${(g.cpu * 100).toFixed(0)} %` : '—'}</div>
      <div role="gridcell">{g.maxMemory ? `${bytes(g.memory)}` : '—'}</div>
      <div role="gridcell">{g.type}</div>
      <div role="gridcell" className="row-actions">
        <PowerMenu vm={vm} />
        {vm.permissions.includes('console') && g.status === 'running' && (
          <Link className="button" to={`${path}/console`} aria-label={`Console of ${g.name}`}>
            Console
          </Link>
        )}
      </div>
    </div>
  );
}
