import type { ApiClient } from './client';
import type {
  AuditPage, CreateUser, CreateVmGrant, GlobalRole, Logo, Me, Member, MemberCandidate, ProfilePatch, Tenant,
  TenantInput, TenantRole, TenantSettings, User, UserPage, UpdateUser, VmGrant, VmPermission,
} from './types';
import type { AuditFilters } from '../tenant/auditQuery';
import { auditQuery } from '../tenant/auditQuery';

const tenantPath = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}`;

/** The Nexus REST API, one function per endpoint. */
export function nexusApi(client: ApiClient) {
  return {
    me: {
      get: () => client.get<Me>('/api/me'),
      update: (patch: ProfilePatch) => client.patch<Me>('/api/me', patch),
      changePassword: (currentPassword: string, newPassword: string) =>
        client.post<void>('/api/me/password', { currentPassword, newPassword }),
    },
    users: {
      list: (search: string, page: number) => client.get<UserPage>('/api/users', { query: { search, page } }),
      create: (user: CreateUser) => client.post<User>('/api/users', user),
      update: (id: string, patch: UpdateUser) => client.patch<User>(`/api/users/${id}`, patch),
      setRole: (id: string, role: GlobalRole) => client.put<User>(`/api/users/${id}/role`, { role }),
      remove: (id: string) => client.delete(`/api/users/${id}`),
    },
    tenants: {
      list: () => client.get<Tenant[]>('/api/tenants'),
      get: (id: string) => client.get<Tenant>(tenantPath(id)),
      create: (tenant: TenantInput) => client.post<Tenant>('/api/tenants', tenant),
      update: (id: string, tenant: TenantInput) => client.patch<Tenant>(tenantPath(id), tenant),
      remove: (id: string) => client.delete(tenantPath(id)),
    },
    members: {
      list: (tenantId: string) => client.get<Member[]>(`${tenantPath(tenantId)}/members`),
      set: (tenantId: string, userId: string, role: TenantRole) =>
        client.put<Member>(`${tenantPath(tenantId)}/members/${userId}`, { role }),
      remove: (tenantId: string, userId: string) => client.delete(`${tenantPath(tenantId)}/members/${userId}`),
      candidates: (tenantId: string, q: string) =>
        client.get<MemberCandidate[]>(`${tenantPath(tenantId)}/member-candidates`, { query: { q } }),
    },
    grants: {
      list: (tenantId: string) => client.get<VmGrant[]>(`${tenantPath(tenantId)}/vm-grants`),
      create: (tenantId: string, grant: CreateVmGrant) => client.post<VmGrant>(`${tenantPath(tenantId)}/vm-grants`, grant),
      update: (tenantId: string, grantId: string, permissions: VmPermission[]) =>
        client.patch<VmGrant>(`${tenantPath(tenantId)}/vm-grants/${grantId}`, { permissions }),
      remove: (tenantId: string, grantId: string) => client.delete(`${tenantPath(tenantId)}/vm-grants/${grantId}`),
    },
    settings: {
      get: (tenantId: string) => client.get<TenantSettings>(`${tenantPath(tenantId)}/settings`),
      put: (tenantId: string, settings: Partial<TenantSettings>) =>
        client.put<TenantSettings>(`${tenantPath(tenantId)}/settings`, settings),
      uploadLogo: (tenantId: string, file: Blob) => client.put<Logo>(`${tenantPath(tenantId)}/logo`, file),
      deleteLogo: (tenantId: string) => client.delete(`${tenantPath(tenantId)}/logo`),
      /** The logo bytes; the API wants the bearer token, so an <img src> cannot fetch it itself. */
      logo: (logoUrl: string) => client.blob(logoUrl),
    },
    audit: {
      page: (tenantId: string, filters: AuditFilters, before: number | null, limit = 50) =>
        client.get<AuditPage>(`${tenantPath(tenantId)}/audit`, { query: { ...auditQuery(filters), before, limit } }),
      csv: (tenantId: string, filters: AuditFilters) =>
        client.blob(`${tenantPath(tenantId)}/audit.csv`, { query: auditQuery(filters) }),
    },
  };
}

export type NexusApi = ReturnType<typeof nexusApi>;
