import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Server } from '../../api/serverTypes';
import { api } from '../../app/services';
import { ConfirmDialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { useTenant } from '../tenant/TenantLayout';
import { ServerDialog } from './ServerDialog';
import { ImportDialog, ServerHistory, TestDialog } from './ServerTools';

type Open = { kind: 'add' } | { kind: 'import' } | { kind: 'edit' | 'test' | 'delete'; server: Server } | null;

/** The tenant's Proxmox servers with their live status (from the live mirror) and what the caller may do with them. */
export default function ServersPage() {
  const { tenant, can, live } = useTenant();
  const queries = useQueryClient();
  const key = ['tenant', tenant.id, 'servers'];
  const servers = useQuery({ queryKey: key, queryFn: () => api.servers.list(tenant.id), meta: { inlineErrors: true } });
  const [open, setOpen] = useState<Open>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const refresh = () => void queries.invalidateQueries({ queryKey: key });
  const remove = useMutation({
    mutationFn: (id: string) => api.servers.remove(id),
    meta: { inlineErrors: true, success: 'Server deleted.' },
    onSuccess: () => {
      setOpen(null);
      refresh();
    },
  });
  const statusOf = (id: string) => live.state?.servers.find((s) => s.serverId === id);
  const chosen = servers.data?.find((s) => s.id === selected);

  return (
    <section className="page">
      <div className="page-head">
        <h1>Servers</h1>
        {can.manageServers && (
          <div className="actions">
            <button type="button" onClick={() => setOpen({ kind: 'import' })}>
              Import CSV
            </button>
            <button type="button" className="primary" onClick={() => setOpen({ kind: 'add' })}>
              Add server
            </button>
          </div>
        )}
      </div>
      <ErrorNotice error={servers.error} />
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Address</th>
            <th>Status</th>
            <th>Endpoint in use</th>
            <th>Latency</th>
            <th>Guests</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(servers.data ?? []).map((server) => {
            const status = statusOf(server.id);
            return (
              <tr key={server.id}>
                <td>
                  <button type="button" className="sort-button" onClick={() => setSelected(server.id)} aria-label={`History of ${server.name}`}>
                    {server.name}
                  </button>
                  {!server.isActive && <span className="badge badge-warn">inactive</span>}
                </td>
                <td className="mono">
                  {server.host}:{server.port}
                  {server.secondaryHost && ` / ${server.secondaryHost}:${server.secondaryPort ?? server.port}`}
                </td>
                <td title={status?.lastError ?? undefined}>
                  <span className={`status status-${status?.health === 'online' ? 'running' : 'stopped'}`}>{status?.health ?? 'unknown'}</span>
                </td>
                <td>{status?.activeEndpoint ?? '—'}</td>
                <td>{status?.averageLatencyMs != null ? `${status.averageLatencyMs.toFixed(0)} ms` : '—'}</td>
                <td>{status?.guestCount ?? '—'}</td>
                <td className="row-actions">
                  {can.manageServers && (
                    <>
                      <button type="button" onClick={() => setOpen({ kind: 'test', server })}>
                        Test
                      </button>
                      <button type="button" onClick={() => setOpen({ kind: 'edit', server })}>
                        Edit
                      </button>
                    </>
                  )}
                  {can.deleteServers && (
                    <button type="button" className="danger" onClick={() => setOpen({ kind: 'delete', server })}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
          {servers.data?.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No servers yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {chosen && <ServerHistory server={chosen} />}
      {open?.kind === 'add' && <ServerDialog tenantId={tenant.id} onClose={() => setOpen(null)} onSaved={refresh} />}
      {open?.kind === 'edit' && <ServerDialog tenantId={tenant.id} server={open.server} onClose={() => setOpen(null)} onSaved={refresh} />}
      {open?.kind === 'import' && <ImportDialog tenantId={tenant.id} onClose={() => setOpen(null)} onSaved={refresh} />}
      {open?.kind === 'test' && <TestDialog server={open.server} canEdit={can.manageServers} onClose={() => setOpen(null)} onSaved={refresh} />}
      {open?.kind === 'delete' && (
        <ConfirmDialog
          title="Delete server"
          message={<p>Remove {open.server.name} and stop managing its VMs in Nexus? Proxmox itself is not touched.</p>}
          confirmLabel="Delete"
          busy={remove.isPending}
          error={<ErrorNotice error={remove.error} />}
          onConfirm={() => remove.mutate(open.server.id)}
          onClose={() => {
            remove.reset();
            setOpen(null);
          }}
        />
      )}
    </section>
  );
}
