import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/problem';
import type { GlobalRole, User } from '../../api/types';
import { api } from '../../app/services';
import { useUser } from '../../auth/useSession';
import { ConfirmDialog, Dialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { useDebounced } from '../../ui/hooks';
import { AdminFrame } from './AdminNav';

export default function UsersPage() {
  return (
    <AdminFrame>
      <Users />
    </AdminFrame>
  );
}

function Users() {
  const me = useUser();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const term = useDebounced(search.trim());
  const users = useQuery({
    queryKey: ['users', term, page],
    queryFn: () => api.users.list(term, page),
    placeholderData: keepPreviousData,
    meta: { inlineErrors: true },
  });
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'edit' | 'delete'; user: User } | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const setRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: GlobalRole }) => api.users.setRole(id, role),
    onSettled: invalidate,
    meta: { success: 'Global role changed.' },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.users.remove(id),
    onSuccess: () => setDialog(null),
    onSettled: invalidate,
    meta: { inlineErrors: true, success: 'User deleted.' },
  });
  const pages = users.data ? Math.max(1, Math.ceil(users.data.total / users.data.pageSize)) : 1;

  return (
    <section className="page">
      <div className="page-head">
        <h1>Users</h1>
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })}>
          Create user
        </button>
      </div>
      <Field label="Search users" hint="Email, name or username.">
        <input
          type="search"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setPage(1);
          }}
        />
      </Field>
      <ErrorNotice error={users.error} />
      {users.isPending && <p role="status">Loading users…</p>}
      {users.data && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Global role</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.length === 0 && (
                <tr>
                  <td colSpan={5}>No users match.</td>
                </tr>
              )}
              {users.data.items.map((u) => (
                <tr key={u.id}>
                  <td>{u.email}</td>
                  <td>{u.fullName ?? '—'}</td>
                  <td>
                    <select
                      aria-label={`Global role of ${u.email}`}
                      value={u.globalRole}
                      disabled={u.id === me.id || setRole.isPending}
                      onChange={(e) => setRole.mutate({ id: u.id, role: e.target.value as GlobalRole })}
                    >
                      <option value="user">user</option>
                      <option value="admin">admin</option>
                    </select>
                  </td>
                  <td>
                    {u.disabled ? <span className="badge badge-warn">disabled</span> : 'active'}
                    {u.lockedUntil && new Date(u.lockedUntil) > new Date() && <span className="badge badge-warn">locked</span>}
                  </td>
                  <td className="row-actions">
                    <button type="button" onClick={() => setDialog({ kind: 'edit', user: u })}>
                      Edit<span className="visually-hidden"> {u.email}</span>
                    </button>
                    {u.id !== me.id && (
                      <button type="button" className="danger" onClick={() => setDialog({ kind: 'delete', user: u })}>
                        Delete<span className="visually-hidden"> {u.email}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="User pages">
            <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              ← Previous
            </button>
            <span>
              Page {page} of {pages} ({users.data.total} users)
            </span>
            <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Next →
            </button>
          </nav>
        </>
      )}
      {dialog?.kind === 'create' && <UserDialog onClose={() => setDialog(null)} onSaved={invalidate} />}
      {dialog?.kind === 'edit' && <UserDialog user={dialog.user} self={dialog.user.id === me.id} onClose={() => setDialog(null)} onSaved={invalidate} />}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title="Delete user"
          message={<p>Delete {dialog.user.email}? Their memberships and grants go with the account. This cannot be undone.</p>}
          confirmLabel="Delete"
          busy={remove.isPending}
          error={<ErrorNotice error={remove.error} />}
          onConfirm={() => remove.mutate(dialog.user.id)}
          onClose={() => {
            remove.reset();
            setDialog(null);
          }}
        />
      )}
    </section>
  );
}

function UserDialog({ user, self, onClose, onSaved }: { user?: User; self?: boolean; onClose: () => void; onSaved: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fullName, setFullName] = useState(user?.fullName ?? '');
  const [username, setUsername] = useState(user?.username ?? '');
  const [company, setCompany] = useState(user?.company ?? '');
  const [globalRole, setGlobalRole] = useState<GlobalRole>('user');
  const [disabled, setDisabled] = useState(user?.disabled ?? false);
  const save = useMutation({
    mutationFn: () =>
      user
        ? api.users.update(user.id, { fullName, username, company, disabled })
        : api.users.create({ email, password, fullName, username, company, globalRole }),
    onSuccess: () => {
      onSaved();
      onClose();
    },
    meta: { inlineErrors: true, success: user ? 'User saved.' : 'User created.' },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Dialog title={user ? `Edit ${user.email}` : 'Create user'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {!user && (
          <>
            <Field label="Email" error={error?.fieldError('email')}>
              <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" required />
            </Field>
            <Field label="Initial password" error={error?.fieldError('password')} hint="At least 8 characters.">
              <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required />
            </Field>
          </>
        )}
        <Field label="Full name" error={error?.fieldError('fullName')}>
          <input value={fullName} onChange={(e) => setFullName(e.target.value)} />
        </Field>
        <Field label="Username" error={error?.fieldError('username')}>
          <input value={username} onChange={(e) => setUsername(e.target.value)} />
        </Field>
        <Field label="Company" error={error?.fieldError('company')}>
          <input value={company} onChange={(e) => setCompany(e.target.value)} />
        </Field>
        {!user && (
          <Field label="Global role">
            <select value={globalRole} onChange={(e) => setGlobalRole(e.target.value as GlobalRole)}>
              <option value="user">user</option>
              <option value="admin">admin</option>
            </select>
          </Field>
        )}
        {user && !self && (
          <label className="check">
            <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} /> Disabled (cannot sign in)
          </label>
        )}
        <ErrorNotice error={save.error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={save.isPending}>
            {user ? 'Save' : 'Create'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
