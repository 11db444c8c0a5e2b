import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/problem';
import { vmPermissions, type VmGrant, type VmPermission } from '../../api/types';
import { api } from '../../app/services';
import { ConfirmDialog, Dialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { tenantKeys, useTenant } from './TenantLayout';

export default function VmGrantsPage() {
  const { tenant } = useTenant();
  const queryClient = useQueryClient();
  const grants = useQuery({ queryKey: tenantKeys.grants(tenant.id), queryFn: () => api.grants.list(tenant.id), meta: { inlineErrors: true } });
  const members = useQuery({ queryKey: tenantKeys.members(tenant.id), queryFn: () => api.members.list(tenant.id) });
  const [editing, setEditing] = useState<VmGrant | null>(null);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<VmGrant | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: tenantKeys.grants(tenant.id) });
  const remove = useMutation({
    mutationFn: (grantId: string) => api.grants.remove(tenant.id, grantId),
    onSuccess: () => setDeleting(null),
    onSettled: invalidate,
    meta: { inlineErrors: true, success: 'Grant deleted.' },
  });
  const emailOf = (userId: string) => members.data?.find((m) => m.userId === userId)?.email ?? userId;

  return (
    <section className="page">
      <div className="page-head">
        <h1>VM grants</h1>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add grant
        </button>
      </div>
      <p className="muted">Permissions on single VMs, on top of what a member's tenant role gives.</p>
      <ErrorNotice error={grants.error} />
      {grants.isPending && <p role="status">Loading grants…</p>}
      {grants.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Server</th>
              <th scope="col">VM</th>
              <th scope="col">Permissions</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {grants.data.length === 0 && (
              <tr>
                <td colSpan={5}>No grants.</td>
              </tr>
            )}
            {grants.data.map((g) => (
              <tr key={g.id}>
                <td>{emailOf(g.userId)}</td>
                <td className="mono">{g.serverId}</td>
                <td>
                  {g.guestType}/{g.vmId}
                </td>
                <td>{g.permissions.join(', ')}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => setEditing(g)}>
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => setDeleting(g)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adding && (
        <GrantDialog
          tenantId={tenant.id}
          users={(members.data ?? []).map((m) => ({ id: m.userId, email: m.email }))}
          onClose={() => setAdding(false)}
          onSaved={invalidate}
        />
      )}
      {editing && <GrantDialog tenantId={tenant.id} grant={editing} users={[]} onClose={() => setEditing(null)} onSaved={invalidate} />}
      {deleting && (
        <ConfirmDialog
          title="Delete grant"
          message={<p>Delete the grant of {emailOf(deleting.userId)} on {deleting.guestType}/{deleting.vmId}?</p>}
          confirmLabel="Delete"
          busy={remove.isPending}
          error={<ErrorNotice error={remove.error} />}
          onConfirm={() => remove.mutate(deleting.id)}
          onClose={() => {
            remove.reset();
            setDeleting(null);
          }}
        />
      )}
    </section>
  );
}

interface GrantDialogProps {
  tenantId: string;
  grant?: VmGrant;
  users: { id: string; email: string }[];
  onClose: () => void;
  onSaved: () => void;
}

function GrantDialog({ tenantId, grant, users, onClose, onSaved }: GrantDialogProps) {
  const [userId, setUserId] = useState(grant?.userId ?? users[0]?.id ?? '');
  const [serverId, setServerId] = useState(grant?.serverId ?? '');
  const [guestType, setGuestType] = useState<'qemu' | 'lxc'>(grant?.guestType ?? 'qemu');
  const [vmId, setVmId] = useState(grant ? String(grant.vmId) : '');
  const [permissions, setPermissions] = useState<VmPermission[]>(grant?.permissions ?? ['view']);
  const save = useMutation({
    mutationFn: () =>
      grant
        ? api.grants.update(tenantId, grant.id, permissions)
        : api.grants.create(tenantId, { userId, serverId: serverId.trim(), guestType, vmId: Number(vmId), permissions }),
    onSuccess: () => {
      onSaved();
      onClose();
    },
    meta: { inlineErrors: true, success: grant ? 'Grant changed.' : 'Grant added.' },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const toggle = (p: VmPermission) => setPermissions(permissions.includes(p) ? permissions.filter((x) => x !== p) : vmPermissions.filter((x) => x === p || permissions.includes(x)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Dialog title={grant ? 'Edit grant' : 'Add grant'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {!grant && (
          <>
            <Field label="User" error={error?.fieldError('userId')}>
              <select value={userId} onChange={(e) => setUserId(e.target.value)} required>
                {users.length === 0 && <option value="">No members</option>}
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.email}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Server id" error={error?.fieldError('serverId')} hint="The server's id (a GUID).">
              <input value={serverId} onChange={(e) => setServerId(e.target.value)} required spellCheck={false} />
            </Field>
            <div className="row">
              <Field label="Guest type" error={error?.fieldError('guestType')}>
                <select value={guestType} onChange={(e) => setGuestType(e.target.value as 'qemu' | 'lxc')}>
                  <option value="qemu">qemu (VM)</option>
                  <option value="lxc">lxc (container)</option>
                </select>
              </Field>
              <Field label="VM id" error={error?.fieldError('vmId')}>
                <input type="number" min={100} max={999_999_999} value={vmId} onChange={(e) => setVmId(e.target.value)} required />
              </Field>
            </div>
          </>
        )}
        <fieldset>
          <legend>Permissions</legend>
          {vmPermissions.map((p) => (
            <label key={p} className="check">
              <input type="checkbox" checked={permissions.includes(p)} onChange={() => toggle(p)} /> {p}
            </label>
          ))}
          {error?.fieldError('permissions') && <small className="field-error">{error.fieldError('permissions')}</small>}
        </fieldset>
        <ErrorNotice error={save.error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={save.isPending}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
