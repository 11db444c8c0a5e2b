import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { NavLink, Outlet, useOutletContext, useParams } from 'react-router';
import { ApiError } from '../../api/problem';
import type { Tenant, TenantSettings } from '../../api/types';
import { useBranding } from '../../app/branding';
import { api } from '../../app/services';
import { tenantAbilities, type TenantAbilities } from '../../auth/permissions';
import { useUser } from '../../auth/useSession';
import { useAlertToasts } from '../../live/useAlertToasts';
import { useTenantLive, type TenantLive } from '../../live/useTenantLive';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { NotFoundPage } from '../NotFoundPage';

export interface TenantContext {
  tenant: Tenant;
  settings: TenantSettings | undefined;
  can: TenantAbilities;
  /** The tenant's live state (snapshot + events), shared by its pages over one hub connection. */
  live: TenantLive;
}

export function useTenant(): TenantContext {
  return useOutletContext<TenantContext>();
}

export const tenantKeys = {
  tenant: (id: string) => ['tenant', id] as const,
  settings: (id: string) => ['tenant', id, 'settings'] as const,
  members: (id: string) => ['tenant', id, 'members'] as const,
  grants: (id: string) => ['tenant', id, 'vm-grants'] as const,
  audit: (id: string) => ['tenant', id, 'audit'] as const,
  alerts: (id: string) => ['tenant', id, 'alerts'] as const,
};

/** A tenant's pages: loads the tenant and its settings, brands the whole UI with them, shows what the caller may open. */
export default function TenantLayout() {
  const { tenantId = '' } = useParams();
  const user = useUser();
  const { setBranding } = useBranding();
  const tenant = useQuery({ queryKey: tenantKeys.tenant(tenantId), queryFn: () => api.tenants.get(tenantId), meta: { inlineErrors: true } });
  const settings = useQuery({
    queryKey: tenantKeys.settings(tenantId),
    queryFn: () => api.settings.get(tenantId),
    enabled: tenant.isSuccess,
  });
  const live = useTenantLive(tenant.isSuccess ? tenantId : null);
  const queries = useQueryClient();
  // Any tenant page toasts a server alert; the alert timeline reloads so it holds the new audit row.
  const refreshAlerts = useCallback(() => void queries.invalidateQueries({ queryKey: tenantKeys.alerts(tenantId) }), [queries, tenantId]);
  useAlertToasts(live, refreshAlerts);

  const name = tenant.data?.name;
  const s = settings.data;
  useEffect(() => {
    if (!name) {
      return;
    }
    setBranding({
      tenantId,
      tenantName: name,
      colours: s ? { primaryColor: s.primaryColor, secondaryColor: s.secondaryColor, accentColor: s.accentColor } : null,
      logoUrl: s?.logoUrl ?? null,
    });
  }, [tenantId, name, s, setBranding]);
  useEffect(() => () => setBranding(null), [setBranding]);

  if (tenant.isPending) {
    return <p role="status">Loading tenant…</p>;
  }
  if (tenant.error) {
    return tenant.error instanceof ApiError && tenant.error.status === 404 ? <NotFoundPage /> : <ErrorNotice error={tenant.error} />;
  }
  const can = tenantAbilities(user, tenantId);
  const context: TenantContext = { tenant: tenant.data, settings: settings.data, can, live };
  return (
    <div className="tenant">
      <nav aria-label="Tenant" className="tenant-nav">
        <NavLink to="" end>
          Overview
        </NavLink>
        <NavLink to="vms">Virtual machines</NavLink>
        <NavLink to="servers">Servers</NavLink>
        {can.viewMonitoring && <NavLink to="monitoring">Monitoring</NavLink>}
        <NavLink to="consoles">Consoles</NavLink>
        {can.manageMembers && <NavLink to="members">Members</NavLink>}
        {can.manageVmGrants && <NavLink to="vm-grants">VM grants</NavLink>}
        {can.manageSettings && <NavLink to="settings">Settings</NavLink>}
        {can.viewAudit && <NavLink to="audit">Audit log</NavLink>}
        {can.viewAudit && <NavLink to="notifications">Notifications</NavLink>}
      </nav>
      <Outlet context={context} />
    </div>
  );
}
