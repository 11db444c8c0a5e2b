import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { VmFilters, VmSort } from '../../api/vmTypes';
import { api } from '../../app/services';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { useDebounced } from '../../ui/hooks';
import { bytes, liveVmOf } from '../../vms/vmList';
import { PowerMenu } from './PowerMenu';

const pageSize = 100;
const sortable: { key: VmSort; label: string }[] = [
  { key: 'vmid', label: 'ID' },
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'server', label: 'Server' },
  { key: 'node', label: 'Node' },
  { key: 'cpu', label: 'CPU' },
  { key: 'mem', label: 'Memory' },
];

/** Every VM the caller may see across tenants: the API filters, sorts and pages (GET /api/vms), so it scales past one tenant's snapshot. */
export default function AllVmsPage() {
  const [filters, setFilters] = useState<VmFilters>({ search: '', status: '', sort: 'name', order: 'asc' });
  const [page, setPage] = useState(1);
  const search = useDebounced(filters.search ?? '', 300);
  const query = { ...filters, search };
  const vms = useQuery({
    queryKey: ['vms', query, page],
    queryFn: () => api.vms.page(null, query, page, pageSize),
    placeholderData: keepPreviousData,
    meta: { inlineErrors: true },
  });
  const change = (next: Partial<VmFilters>) => {
    setFilters({ ...filters, ...next });
    setPage(1);
  };
  const data = vms.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / pageSize)) : 1;
  return (
    <section className="page">
      <h1>All virtual machines</h1>
      <div className="filters">
        <label className="field">
          <span>Search</span>
          <input type="search" value={filters.search} onChange={(e) => change({ search: e.target.value })} />
        </label>
        <label className="field">
          <span>Status</span>
          <select value={filters.status} onChange={(e) => change({ status: e.target.value })}>
            <option value="">Any</option>
            <option value="running">running</option>
            <option value="stopped">stopped</option>
            <option value="paused">paused</option>
          </select>
        </label>
      </div>
      <ErrorNotice error={vms.error} />
      <table>
        <thead>
          <tr>
            {sortable.map((c) => (
              <th key={c.key} aria-sort={filters.sort === c.key ? (filters.order === 'desc' ? 'descending' : 'ascending') : undefined}>
                <button
                  type="button"
                  className="sort-button"
                  onClick={() => change({ sort: c.key, order: filters.sort === c.key && filters.order === 'asc' ? 'desc' : 'asc' })}
                >
                  {c.label}
                  {filters.sort === c.key ? (filters.order === 'desc' ? ' ↓' : ' ↑') : ''}
                </button>
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((row) => (
            <tr key={`${row.serverId}/${row.type}/${row.vmId}`}>
              <td>{row.vmId}</td>
              <td>
                <Link to={`/t/${row.tenantId}/vms/${row.serverId}/${row.type}/${row.vmId}`}>{row.name}</Link>
              </td>
              <td>
                <span className={`status status-${row.status}`}>{row.status}</span>
              </td>
              <td>{row.serverName}</td>
              <td>{row.node}</td>
              <td>{row.status === 'running' ? `${(row.cpu * 100).toFixed(0)} %` : '—'}</td>
              <td>{bytes(row.memory)}</td>
              <td className="row-actions">
                <PowerMenu vm={liveVmOf(row)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        <span className="muted">{data ? `${data.total} VMs` : ''}</span>
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span>
          Page {page} of {pages}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </div>
    </section>
  );
}
