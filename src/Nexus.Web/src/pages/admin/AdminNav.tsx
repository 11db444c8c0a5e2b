import { NavLink } from 'react-router';
import { useUser } from '../../auth/useSession';
import { NotFoundPage } from '../NotFoundPage';

/** The administration pages' tabs; a non-admin sees the 404 page, as the API answers them. */
export function AdminFrame({ children }: { children: React.ReactNode }) {
  const user = useUser();
  if (user.globalRole !== 'admin') {
    return <NotFoundPage />;
  }
  return (
    <div className="tenant">
      <nav aria-label="Administration" className="tenant-nav">
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/tenants">Tenants</NavLink>
      </nav>
      {children}
    </div>
  );
}
