import type { Me, TenantRole } from '../api/types';

/** What the caller may do in one tenant; mirrors Nexus.Grains' PermissionPolicy so the UI hides what the API would refuse. */
export interface TenantAbilities {
  role: TenantRole | null;
  isGlobalAdmin: boolean;
  manageMembers: boolean;
  manageVmGrants: boolean;
  manageSettings: boolean;
  viewAudit: boolean;
  /** Server status and metrics: tenant members (grant-only users see no server-level data). */
  viewMonitoring: boolean;
  /** Add, edit, test servers: managers and up. */
  manageServers: boolean;
  deleteServers: boolean;
  /** Rename, (de)activate, delete the tenant itself: global admins only. */
  manageTenant: boolean;
  /** The operator's limits (server quota, console sessions): global admins only. */
  changeOperatorLimits: boolean;
}

export function tenantAbilities(user: Me, tenantId: string): TenantAbilities {
  const isGlobalAdmin = user.globalRole === 'admin';
  const role = user.tenants.find((t) => t.tenantId === tenantId)?.role ?? null;
  const tenantAdmin = isGlobalAdmin || role === 'admin';
  return {
    role,
    isGlobalAdmin,
    manageMembers: tenantAdmin,
    manageServers: tenantAdmin || role === 'manager',
    deleteServers: tenantAdmin,
    manageVmGrants: tenantAdmin,
    manageSettings: tenantAdmin,
    viewAudit: tenantAdmin,
    viewMonitoring: isGlobalAdmin || role !== null,
    manageTenant: isGlobalAdmin,
    changeOperatorLimits: isGlobalAdmin,
  };
}
