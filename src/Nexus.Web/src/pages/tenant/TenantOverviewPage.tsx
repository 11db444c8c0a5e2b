import { Link } from 'react-router';
import { useTenant } from './TenantLayout';

export default function TenantOverviewPage() {
  const { tenant, can } = useTenant();
  return (
    <section className="page">
      <h1>{tenant.name}</h1>
      {tenant.description && <p>{tenant.description}</p>}
      <dl className="facts">
        <dt>Your role</dt>
        <dd>{can.role ?? (can.isGlobalAdmin ? 'global admin' : '—')}</dd>
        <dt>Status</dt>
        <dd>{tenant.isActive ? 'active' : 'inactive'}</dd>
      </dl>
      <div className="card">
        <h2>Servers and virtual machines</h2>
        <p>
          <Link to="vms">Virtual machines</Link> · <Link to="servers">Servers</Link> · <Link to="consoles">Console sessions</Link>
        </p>
      </div>
      {can.manageTenant && (
        <p>
          <Link to="/admin/tenants">Manage tenants</Link>
        </p>
      )}
    </section>
  );
}
