import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { tenantRoles, type Member, type TenantRole } from '../../api/types';
import { api } from '../../app/services';
import { ConfirmDialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { useDebounced } from '../../ui/hooks';
import { tenantKeys, useTenant } from './TenantLayout';

const minSearch = 2;

export default function MembersPage() {
  const { tenant } = useTenant();
  const queryClient = useQueryClient();
  const members = useQuery({ queryKey: tenantKeys.members(tenant.id), queryFn: () => api.members.list(tenant.id), meta: { inlineErrors: true } });
  const [removing, setRemoving] = useState<Member | null>(null);

  const invalidate = () => queryClient.invalidateQueries({ queryKey: tenantKeys.members(tenant.id) });
  const setRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: TenantRole }) => api.members.set(tenant.id, userId, role),
    onSettled: invalidate,
    meta: { success: 'Role changed.' },
  });
  const remove = useMutation({
    mutationFn: (userId: string) => api.members.remove(tenant.id, userId),
    onSuccess: () => setRemoving(null),
    onSettled: invalidate,
    meta: { inlineErrors: true, success: 'Member removed.' },
  });

  return (
    <section className="page">
      <h1>Members</h1>
      <AddMember tenantId={tenant.id} onAdded={invalidate} />
      <ErrorNotice error={members.error} />
      {members.isPending && <p role="status">Loading members…</p>}
      {members.data && (
        <table>
          <caption className="visually-hidden">Members of {tenant.name}</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.length === 0 && (
              <tr>
                <td colSpan={4}>No members yet.</td>
              </tr>
            )}
            {members.data.map((m) => (
              <tr key={m.userId}>
                <td>
                  {m.email} {m.disabled && <span className="badge badge-warn">disabled</span>}
                </td>
                <td>{m.fullName ?? '—'}</td>
                <td>
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    disabled={setRole.isPending}
                    onChange={(e) => setRole.mutate({ userId: m.userId, role: e.target.value as TenantRole })}
                  >
                    {tenantRoles.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="row-actions">
                  <button type="button" className="danger" onClick={() => setRemoving(m)}>
                    Remove<span className="visually-hidden"> {m.email}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {removing && (
        <ConfirmDialog
          title="Remove member"
          message={<p>Remove {removing.email} from {tenant.name}? They lose access to its servers and VMs.</p>}
          confirmLabel="Remove"
          busy={remove.isPending}
          error={<ErrorNotice error={remove.error} />}
          onConfirm={() => remove.mutate(removing.userId)}
          onClose={() => {
            remove.reset();
            setRemoving(null);
          }}
        />
      )}
    </section>
  );
}

function AddMember({ tenantId, onAdded }: { tenantId: string; onAdded: () => void }) {
  const [text, setText] = useState('');
  const [role, setRole] = useState<TenantRole>('viewer');
  const q = useDebounced(text.trim());
  const candidates = useQuery({
    queryKey: ['member-candidates', tenantId, q],
    queryFn: () => api.members.candidates(tenantId, q),
    enabled: q.length >= minSearch,
    meta: { inlineErrors: true },
  });
  const add = useMutation({
    mutationFn: (userId: string) => api.members.set(tenantId, userId, role),
    onSuccess: () => {
      setText('');
      onAdded();
    },
    meta: { success: 'Member added.' },
  });
  return (
    <div className="card add-member">
      <h2>Add a member</h2>
      <div className="row">
        <Field label="Find a user" hint={`Email, name or username; at least ${minSearch} characters.`}>
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Role for new member">
          <select value={role} onChange={(e) => setRole(e.target.value as TenantRole)}>
            {tenantRoles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {candidates.error && <ErrorNotice error={candidates.error} />}
      {q.length >= minSearch && candidates.data && (
        <ul className="candidates" aria-label="Matching users">
          {candidates.data.length === 0 && <li className="muted">No user matches “{q}” (members are not listed).</li>}
          {candidates.data.map((c) => (
            <li key={c.id}>
              <span>
                {c.email}
                {c.fullName && <span className="muted"> — {c.fullName}</span>}
              </span>
              <button type="button" disabled={add.isPending} onClick={() => add.mutate(c.id)}>
                Add {c.email} as {role}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
