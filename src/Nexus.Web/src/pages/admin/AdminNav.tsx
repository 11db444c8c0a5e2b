import { useMutation } from '@tanstack/react-query';
import { NavLink } from 'react-router';
import { api } from '../../app/services';
import { useUser } from '../../auth/useSession';
import { NotFoundPage } from '../NotFoundPage';

/** The administration pages' tabs; a non-admin sees the 404 page, as the API answers them. */
export function AdminFrame({ children }: { children: React.ReactNode }) {
  const user = useUser();
  // The dashboard is a separate page that cannot send our bearer token: the API sets a cookie scoped to it first.
  const dashboard = useMutation({
    mutationFn: () => api.admin.openDashboard(),
    // Same tab: a window opened after the request would be a blocked pop-up.
    onSuccess: (session) => window.location.assign(session.url),
  });
  if (user.globalRole !== 'admin') {
    return <NotFoundPage />;
  }
  return (
    <div className="tenant">
      <nav aria-label="Administration" className="tenant-nav">
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/tenants">Tenants</NavLink>
        <button type="button" className="link" disabled={dashboard.isPending} onClick={() => dashboard.mutate()}>
          Orleans Dashboard
        </button>
      </nav>
      {children}
    </div>
  );
}
