import type { ApiClient } from './client';
import type {
  AuditPage, CreateUser, CreateVmGrant, GlobalRole, Logo, Me, Member, MemberCandidate, ProfilePatch, Tenant,
  TenantInput, TenantRole, TenantSettings, User, UserPage, UpdateUser, VmGrant, VmPermission,
} from './types';
import type { AuditFilters } from '../tenant/auditQuery';
import { auditQuery } from '../tenant/auditQuery';
import type {
  ConsoleOpened, ConsoleSession, GuestType, LiveSnapshot, RrdSeries, ServerStatus, TenantStats, VmAction, VmDetails, VmFilters, VmPage, VmTask,
} from './vmTypes';

import type { Connectivity, ImportResult, ProbedCertificate, Server, ServerInput, ServerMetrics } from './serverTypes';

const serverPath = (serverId: string) => `/api/servers/${encodeURIComponent(serverId)}`;

const vmPath = (serverId: string, type: GuestType, vmid: number) =>
  `/api/servers/${encodeURIComponent(serverId)}/vms/${type}/${vmid}`;

const tenantPath = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}`;

/** The Nexus REST API, one function per endpoint. */
export function nexusApi(client: ApiClient) {
  return {
    me: {
      get: () => client.get<Me>('/api/me'),
      update: (patch: ProfilePatch) => client.patch<Me>('/api/me', patch),
      changePassword: (currentPassword: string, newPassword: string) =>
        client.post<void>('/api/me/password', { currentPassword, newPassword }),
      signOutEverywhere: () => client.post<void>('/api/me/sign-out-everywhere'),
    },
    users: {
      list: (search: string, page: number) => client.get<UserPage>('/api/users', { query: { search, page } }),
      create: (user: CreateUser) => client.post<User>('/api/users', user),
      update: (id: string, patch: UpdateUser) => client.patch<User>(`/api/users/${id}`, patch),
      setRole: (id: string, role: GlobalRole) => client.put<User>(`/api/users/${id}/role`, { role }),
      remove: (id: string) => client.delete(`/api/users/${id}`),
    },
    admin: {
      /** Sets the short-lived cookie the Orleans Dashboard accepts; answers where to open it. */
      openDashboard: () => client.post<{ url: string; expiresAt: string }>('/api/admin/dashboard-session'),
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
    vms: {
      page: (tenantId: string | null, filters: VmFilters, page: number, pageSize: number) =>
        client.get<VmPage>(tenantId ? `${tenantPath(tenantId)}/vms` : '/api/vms', { query: { ...filters, page, pageSize } }),
      get: (serverId: string, type: GuestType, vmid: number) => client.get<VmDetails>(vmPath(serverId, type, vmid)),
      act: (serverId: string, type: GuestType, vmid: number, action: VmAction) =>
        client.post<VmTask>(`${vmPath(serverId, type, vmid)}/actions/${action}`),
      tasks: (serverId: string, type: GuestType, vmid: number) => client.get<VmTask[]>(`${vmPath(serverId, type, vmid)}/tasks`),
      rrd: (serverId: string, type: GuestType, vmid: number, timeframe: string) =>
        client.get<RrdSeries>(`${vmPath(serverId, type, vmid)}/rrd`, { query: { timeframe } }),
    },
    servers: {
      list: (tenantId: string) => client.get<Server[]>(`${tenantPath(tenantId)}/servers`),
      create: (tenantId: string, server: ServerInput) => client.post<Server>(`${tenantPath(tenantId)}/servers`, server),
      update: (serverId: string, patch: ServerInput) => client.patch<Server>(serverPath(serverId), patch),
      remove: (serverId: string) => client.delete(serverPath(serverId)),
      probe: (tenantId: string, host: string, port: number) =>
        client.post<ProbedCertificate>('/api/servers/probe-certificate', { host, port, tenantId }),
      test: (serverId: string) => client.post<Connectivity>(`${serverPath(serverId)}/test`),
      importCsv: (tenantId: string, file: Blob) =>
        client.post<ImportResult>(`${tenantPath(tenantId)}/servers/import`, file, { contentType: 'text/csv' }),
      status: (serverId: string) => client.get<ServerStatus>(`${serverPath(serverId)}/status`),
      metrics: (serverId: string, range: string) => client.get<ServerMetrics>(`${serverPath(serverId)}/metrics`, { query: { range } }),
    },
    stats: {
      tenant: (tenantId: string) => client.get<TenantStats>(`${tenantPath(tenantId)}/stats`),
    },
    live: {
      snapshot: (tenantId: string) => client.get<LiveSnapshot>(`${tenantPath(tenantId)}/live`),
    },
    consoles: {
      open: (serverId: string, type: GuestType, vmid: number, viewOnly: boolean) =>
        client.post<ConsoleOpened>('/api/consoles', { serverId, type, vmid, viewOnly }),
      list: (tenantId: string) => client.get<ConsoleSession[]>(`${tenantPath(tenantId)}/consoles`),
      kill: (sessionId: string) => client.delete(`/api/consoles/${encodeURIComponent(sessionId)}`),
    },
  };
}

export type NexusApi = ReturnType<typeof nexusApi>;
