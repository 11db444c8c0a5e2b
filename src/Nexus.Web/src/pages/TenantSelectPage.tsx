import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../app/services';
import { useUser } from '../auth/useSession';
import { ErrorNotice } from '../ui/ErrorNotice';

export function TenantSelectPage() {
  const user = useUser();
  const tenants = useQuery({ queryKey: ['tenants'], queryFn: api.tenants.list, meta: { inlineErrors: true } });
  const isAdmin = user.globalRole === 'admin';
  return (
    <section className="page">
      <h1>Choose a tenant</h1>
      {tenants.isPending && <p role="status">Loading tenants…</p>}
      <ErrorNotice error={tenants.error} />
      {tenants.data?.length === 0 && (
        <p>
          {isAdmin ? (
            <>
              There are no tenants yet. <Link to="/admin/tenants">Create one in Administration</Link>.
            </>
          ) : (
            'You are not a member of any tenant yet. Ask an administrator to add you.'
          )}
        </p>
      )}
      <ul className="tenant-list">
        {tenants.data?.map((t) => (
          <li key={t.id}>
            <Link to={`/t/${t.id}`} className="card tenant-card">
              <strong>{t.name}</strong>
              <span className="muted">{t.slug}</span>
              <span className="badges">
                {t.role && <span className="badge">{t.role}</span>}
                {!t.isActive && <span className="badge badge-warn">inactive</span>}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
