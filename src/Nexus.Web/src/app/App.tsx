import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation, useRouteError } from 'react-router';
import { useSession } from '../auth/useSession';
import { LoginPage } from '../pages/LoginPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { TenantSelectPage } from '../pages/TenantSelectPage';
import { CrashNotice, ErrorBoundary } from '../ui/ErrorBoundary';
import { Toasts } from '../ui/Toasts';
import { AppLayout } from './AppLayout';
import { queryClient } from './services';

// Everything past the start page loads on first use, so the first paint ships only the shell.
const ProfilePage = lazy(() => import('../pages/ProfilePage'));
const UsersPage = lazy(() => import('../pages/admin/UsersPage'));
const TenantsAdminPage = lazy(() => import('../pages/admin/TenantsAdminPage'));
const TenantLayout = lazy(() => import('../pages/tenant/TenantLayout'));
const TenantOverviewPage = lazy(() => import('../pages/tenant/TenantOverviewPage'));
const MembersPage = lazy(() => import('../pages/tenant/MembersPage'));
const VmGrantsPage = lazy(() => import('../pages/tenant/VmGrantsPage'));
const SettingsPage = lazy(() => import('../pages/tenant/SettingsPage'));
const AuditPage = lazy(() => import('../pages/tenant/AuditPage'));
const MonitoringPage = lazy(() => import('../pages/monitoring/MonitoringPage'));
const NotificationsPage = lazy(() => import('../pages/tenant/NotificationsPage'));
const ServersPage = lazy(() => import('../pages/servers/ServersPage'));
const AllVmsPage = lazy(() => import('../pages/vms/AllVmsPage'));
const VmsPage = lazy(() => import('../pages/vms/VmsPage'));
const VmDetailsPage = lazy(() => import('../pages/vms/VmDetailsPage'));
// Its own chunk with noVNC: only those who open a console download it.
const ConsolePage = lazy(() => import('../pages/vms/ConsolePage'));
const ConsoleSessionsPage = lazy(() => import('../pages/vms/ConsoleSessionsPage'));

function RouteError() {
  return <CrashNotice error={useRouteError()} onRetry={() => window.location.reload()} />;
}

function Loading() {
  return (
    <p className="loading" role="status">
      Loading…
    </p>
  );
}

function page(element: ReactNode) {
  return <Suspense fallback={<Loading />}>{element}</Suspense>;
}

/** Routes past the login page: while the cookie is traded for a token, a splash; without a session, the login page. */
function RequireSession() {
  const state = useSession();
  const location = useLocation();
  if (state.status === 'restoring') {
    return <Loading />;
  }
  if (state.status === 'signedOut') {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet />;
}

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  {
    element: <RequireSession />,
    errorElement: <RouteError />,
    children: [
      {
        element: <AppLayout />,
        children: [
          { index: true, element: <TenantSelectPage /> },
          { path: 'profile', element: page(<ProfilePage />) },
          { path: 'vms', element: page(<AllVmsPage />) },
          { path: 'admin', element: <Navigate to="/admin/users" replace /> },
          { path: 'admin/users', element: page(<UsersPage />) },
          { path: 'admin/tenants', element: page(<TenantsAdminPage />) },
          {
            path: 't/:tenantId',
            element: page(<TenantLayout />),
            children: [
              { index: true, element: page(<TenantOverviewPage />) },
              { path: 'members', element: page(<MembersPage />) },
              { path: 'vm-grants', element: page(<VmGrantsPage />) },
              { path: 'settings', element: page(<SettingsPage />) },
              { path: 'audit', element: page(<AuditPage />) },
              { path: 'servers', element: page(<ServersPage />) },
              { path: 'monitoring', element: page(<MonitoringPage />) },
              { path: 'notifications', element: page(<NotificationsPage />) },
              { path: 'vms', element: page(<VmsPage />) },
              { path: 'vms/:serverId/:type/:vmid', element: page(<VmDetailsPage />) },
              { path: 'vms/:serverId/:type/:vmid/console', element: page(<ConsolePage />) },
              { path: 'consoles', element: page(<ConsoleSessionsPage />) },
            ],
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);

export function App() {
  return (
    <ErrorBoundary>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
        <Toasts />
      </QueryClientProvider>
    </ErrorBoundary>
  );
}
