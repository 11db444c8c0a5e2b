// The shapes of the Nexus REST API (src/Nexus.Host: Identity/, Users/, Tenants/, Audit/). Enums travel as lower-case names.

export type GlobalRole = 'admin' | 'user';
export type TenantRole = 'admin' | 'manager' | 'viewer';
export type AuditOutcome = 'success' | 'failure' | 'denied';
export type VmPermission = 'view' | 'console' | 'start' | 'stop' | 'restart';
export const vmPermissions: readonly VmPermission[] = ['view', 'console', 'start', 'stop', 'restart'];
export const tenantRoles: readonly TenantRole[] = ['admin', 'manager', 'viewer'];

export interface TenantMembership {
  tenantId: string;
  name: string;
  slug: string;
  role: TenantRole;
}

export interface Me {
  id: string;
  email: string;
  fullName: string | null;
  username: string | null;
  company: string | null;
  globalRole: GlobalRole;
  createdAt: string;
  tenants: TenantMembership[];
}

export interface TokenResponse {
  accessToken: string;
  expiresAt: string;
  user: Me;
}

export interface ProfilePatch {
  fullName?: string;
  username?: string;
  company?: string;
}

export interface User {
  id: string;
  email: string;
  fullName: string | null;
  username: string | null;
  company: string | null;
  globalRole: GlobalRole;
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
}

export interface UserPage {
  items: User[];
  total: number;
  page: number;
  pageSize: number;
}

export interface CreateUser {
  email: string;
  password: string;
  fullName?: string;
  username?: string;
  company?: string;
  globalRole: GlobalRole;
}

export interface UpdateUser {
  fullName?: string;
  username?: string;
  company?: string;
  disabled?: boolean;
}

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  isActive: boolean;
  /** The caller's role; null for a global admin who is not a member. */
  role: TenantRole | null;
  createdAt: string;
  updatedAt: string;
}

export interface TenantInput {
  name?: string;
  slug?: string;
  description?: string;
  isActive?: boolean;
}

export interface Member {
  userId: string;
  email: string;
  fullName: string | null;
  username: string | null;
  role: TenantRole;
  disabled: boolean;
  addedAt: string;
}

export interface MemberCandidate {
  id: string;
  email: string;
  fullName: string | null;
  username: string | null;
}

export interface VmGrant {
  id: string;
  userId: string;
  serverId: string;
  guestType: 'qemu' | 'lxc';
  vmId: number;
  permissions: VmPermission[];
  createdAt: string;
}

export interface CreateVmGrant {
  userId: string;
  serverId: string;
  guestType: 'qemu' | 'lxc';
  vmId: number;
  permissions: VmPermission[];
}

export interface TenantSettings {
  primaryColor: string;
  secondaryColor: string;
  accentColor: string;
  notificationEmail: string | null;
  notifyOnServerOffline: boolean;
  notifyOnVmAction: boolean;
  notifyOnUserChanges: boolean;
  defaultConnectionTimeoutMs: number;
  defaultVerifySsl: boolean;
  autoHealthCheckIntervalMs: number;
  alertSuccessRateThreshold: number;
  alertLatencyThresholdMs: number;
  alertOfflineDurationSeconds: number;
  consoleMaxSessionsPerTenant: number;
  consoleIdleTimeoutSeconds: number;
  consoleMaxDurationSeconds: number;
  pollIntervalSeconds: number;
  serverQuota: number;
  logoUrl: string | null;
}

export interface Logo {
  url: string;
  contentType: string;
  sha256: string;
}

export interface AuditEntry {
  id: number;
  createdAt: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  outcome: AuditOutcome;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  details: unknown;
  clientIp: string | null;
  userAgent: string | null;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Pass as `before` for the next (older) page; null at the end. */
  nextBefore: number | null;
}
