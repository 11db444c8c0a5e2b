import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../api/problem';
import type { Tenant } from '../../api/types';
import { api } from '../../app/services';
import { ConfirmDialog, Dialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { AdminFrame } from './AdminNav';

export default function TenantsAdminPage() {
  return (
    <AdminFrame>
      <Tenants />
    </AdminFrame>
  );
}

function Tenants() {
  const queryClient = useQueryClient();
  const tenants = useQuery({ queryKey: ['tenants'], queryFn: api.tenants.list, meta: { inlineErrors: true } });
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'edit' | 'delete'; tenant: Tenant } | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: ['tenants'] });
  const activate = useMutation({
    mutationFn: (t: Tenant) => api.tenants.update(t.id, { isActive: !t.isActive }),
    onSettled: invalidate,
    meta: { success: 'Tenant updated.' },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.tenants.remove(id),
    onSuccess: () => setDialog(null),
    onSettled: invalidate,
    meta: { inlineErrors: true, success: 'Tenant deleted.' },
  });
  return (
    <section className="page">
      <div className="page-head">
        <h1>Tenants</h1>
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })}>
          Create tenant
        </button>
      </div>
      <ErrorNotice error={tenants.error} />
      {tenants.isPending && <p role="status">Loading tenants…</p>}
      {tenants.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tenants.data.length === 0 && (
              <tr>
                <td colSpan={4}>No tenants yet.</td>
              </tr>
            )}
            {tenants.data.map((t) => (
              <tr key={t.id}>
                <td>
                  <Link to={`/t/${t.id}`}>{t.name}</Link>
                </td>
                <td className="mono">{t.slug}</td>
                <td>{t.isActive ? 'active' : <span className="badge badge-warn">inactive</span>}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => setDialog({ kind: 'edit', tenant: t })}>
                    Edit<span className="visually-hidden"> {t.name}</span>
                  </button>
                  <button type="button" disabled={activate.isPending} onClick={() => activate.mutate(t)}>
                    {t.isActive ? 'Deactivate' : 'Activate'}
                    <span className="visually-hidden"> {t.name}</span>
                  </button>
                  <button type="button" className="danger" onClick={() => setDialog({ kind: 'delete', tenant: t })}>
                    Delete<span className="visually-hidden"> {t.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog?.kind === 'create' && <TenantDialog onClose={() => setDialog(null)} onSaved={invalidate} />}
      {dialog?.kind === 'edit' && <TenantDialog tenant={dialog.tenant} onClose={() => setDialog(null)} onSaved={invalidate} />}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title="Delete tenant"
          message={<p>Delete {dialog.tenant.name} with its members, grants, settings and servers? This cannot be undone.</p>}
          confirmLabel="Delete"
          busy={remove.isPending}
          error={<ErrorNotice error={remove.error} />}
          onConfirm={() => remove.mutate(dialog.tenant.id)}
          onClose={() => {
            remove.reset();
            setDialog(null);
          }}
        />
      )}
    </section>
  );
}

function TenantDialog({ tenant, onClose, onSaved }: { tenant?: Tenant; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(tenant?.name ?? '');
  const [slug, setSlug] = useState(tenant?.slug ?? '');
  const [description, setDescription] = useState(tenant?.description ?? '');
  const [isActive, setIsActive] = useState(tenant?.isActive ?? true);
  const save = useMutation({
    mutationFn: () =>
      tenant ? api.tenants.update(tenant.id, { name, slug, description, isActive }) : api.tenants.create({ name, slug, description }),
    onSuccess: () => {
      onSaved();
      onClose();
    },
    meta: { inlineErrors: true, success: tenant ? 'Tenant saved.' : 'Tenant created.' },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Dialog title={tenant ? `Edit ${tenant.name}` : 'Create tenant'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={error?.fieldError('name')}>
          <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label="Slug" error={error?.fieldError('slug')} hint="Lower-case letters, digits and dashes; blank derives it from the name.">
          <input value={slug} maxLength={63} onChange={(e) => setSlug(e.target.value)} spellCheck={false} />
        </Field>
        <Field label="Description" error={error?.fieldError('description')}>
          <textarea value={description} maxLength={2000} rows={3} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        {tenant && (
          <label className="check">
            <input type="checkbox" checked={isActive} onChange={(e) => setIsActive(e.target.checked)} /> Active
          </label>
        )}
        <ErrorNotice error={save.error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={save.isPending}>
            {tenant ? 'Save' : 'Create'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
