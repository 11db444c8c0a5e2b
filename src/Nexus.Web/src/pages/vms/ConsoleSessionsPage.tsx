import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ConsoleSession } from '../../api/vmTypes';
import { api } from '../../app/services';
import { ConfirmDialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { bytes } from '../../vms/vmList';
import { useTenant } from '../tenant/TenantLayout';

/** The tenant's open console sessions (admins see all, others their own) and a way to close one. */
export default function ConsoleSessionsPage() {
  const { tenant } = useTenant();
  const queries = useQueryClient();
  const key = ['tenant', tenant.id, 'consoles'];
  const sessions = useQuery({ queryKey: key, queryFn: () => api.consoles.list(tenant.id), refetchInterval: 10_000, meta: { inlineErrors: true } });
  const [victim, setVictim] = useState<ConsoleSession | null>(null);
  const kill = useMutation({
    mutationFn: (id: string) => api.consoles.kill(id),
    meta: { inlineErrors: true, success: 'Console session closed.' },
    onSuccess: () => {
      setVictim(null);
      void queries.invalidateQueries({ queryKey: key });
    },
  });
  return (
    <section className="page">
      <h1>Console sessions</h1>
      {sessions.error && <ErrorNotice error={sessions.error} />}
      <table>
        <thead>
          <tr>
            <th>User</th>
            <th>Guest</th>
            <th>State</th>
            <th>Opened</th>
            <th>Traffic</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(sessions.data ?? []).map((s) => (
            <tr key={s.id}>
              <td>{s.userEmail ?? '—'}</td>
              <td>
                {s.guestType} {s.vmid} on {s.node}
                {s.viewOnly ? ' (view only)' : ''}
              </td>
              <td>{s.state}</td>
              <td>{new Date(s.openedAt).toLocaleString()}</td>
              <td>
                ↑ {bytes(s.bytesToGuest)} ↓ {bytes(s.bytesFromGuest)}
              </td>
              <td className="row-actions">
                <button type="button" className="danger" onClick={() => setVictim(s)} aria-label={`Close the session of ${s.userEmail ?? 'unknown'} on ${s.vmid}`}>
                  Close
                </button>
              </td>
            </tr>
          ))}
          {sessions.data?.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No open console sessions.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {victim && (
        <ConfirmDialog
          title="Close this console session?"
          message={<p>The user's console closes at once.</p>}
          confirmLabel="Close session"
          busy={kill.isPending}
          error={kill.error ? <ErrorNotice error={kill.error} /> : null}
          onConfirm={() => kill.mutate(victim.id)}
          onClose={() => setVictim(null)}
        />
      )}
    </section>
  );
}
