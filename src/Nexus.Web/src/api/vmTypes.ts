/** The VM, live-update and console shapes of the API (Nexus.Host Vms, Live, Consoles, Stats). */

export type GuestType = 'qemu' | 'lxc';
export type VmAction = 'start' | 'stop' | 'shutdown' | 'reboot' | 'reset' | 'suspend' | 'resume';

/** A guest as the last poll saw it (Nexus.Contracts GuestState). */
export interface GuestState {
  serverId: string;
  type: GuestType;
  vmId: number;
  name: string;
  node: string;
  status: string;
  cpu: number;
  maxCpu: number;
  memory: number;
  maxMemory: number;
  disk: number;
  maxDisk: number;
  uptime: number;
  template: boolean;
  tags: string | null;
  pool: string | null;
  lock: string | null;
  netIn: number;
  netOut: number;
  diskRead: number;
  diskWrite: number;
}

/** A row of `GET /api/tenants/{id}/vms` and `GET /api/vms`. */
export interface VmRow {
  tenantId: string;
  serverId: string;
  serverName: string;
  type: GuestType;
  vmId: number;
  name: string;
  node: string;
  status: string;
  cpu: number;
  maxCpu: number;
  memory: number;
  maxMemory: number;
  disk: number;
  maxDisk: number;
  uptime: number;
  template: boolean;
  tags: string[];
  pool: string | null;
  lock: string | null;
  permissions: string[];
}

export interface VmPage {
  items: VmRow[];
  total: number;
  page: number;
  pageSize: number;
  version: number | null;
}

export type VmSort = 'name' | 'vmid' | 'status' | 'cpu' | 'mem' | 'node' | 'server';

export interface VmFilters {
  search?: string;
  status?: string;
  type?: string;
  sort?: VmSort;
  order?: 'asc' | 'desc';
}

export interface VmDetails {
  vm: VmRow;
  detail: Record<string, unknown> | null;
}

export interface VmTask {
  taskId: string;
  serverId: string;
  type: GuestType;
  vmId: number;
  action: string;
  upid: string | null;
  state: string;
  exitStatus: string | null;
  startedAt: string;
  endedAt: string | null;
  requestedBy: string;
}

export interface RrdPoint {
  time: string;
  cpu: number | null;
  memory: number | null;
  disk: number | null;
  diskRead: number | null;
  diskWrite: number | null;
  netIn: number | null;
  netOut: number | null;
}

export interface RrdSeries {
  timeframe: string;
  data: RrdPoint[];
}

export interface Usage {
  used: number;
  total: number;
  percentage: number;
}

export interface TenantStats {
  totalVms: number;
  runningVms: number;
  stoppedVms: number;
  totalContainers: number;
  runningContainers: number;
  stoppedContainers: number;
  nodesTotal: number;
  nodesOnline: number;
  cpu: Usage;
  memory: Usage;
  storage: Usage;
  serversTotal: number;
  serversOnline: number;
  lastUpdated: string;
}

export interface ServerStatus {
  serverId: string;
  tenantId: string;
  health: string;
  activeEndpoint: string;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  successRatePercent: number;
  averageLatencyMs: number | null;
  proxmoxVersion: string | null;
  nodeCount: number;
  guestCount: number;
  name: string;
}

/** `GET /api/tenants/{id}/live`. */
export interface LiveSnapshot {
  tenantId: string;
  version: number;
  access: 'auditor' | 'member' | 'grantedVms';
  servers: ServerStatus[];
  vms: { guest: GuestState; permissions: string[] }[];
  stats: TenantStats | null;
}

/** The hub's `event` message. */
export interface LiveEvent {
  tenantId: string;
  version: number;
  at: string;
  type: string;
  body: unknown;
}

export interface ConsoleOpened {
  sessionId: string;
  token: string;
  wsPath: string;
  expiresAt: string;
  subprotocol: string;
}

export interface ConsoleSession {
  id: string;
  userId: string | null;
  userEmail: string | null;
  serverId: string | null;
  guestType: GuestType;
  vmid: number;
  node: string;
  viewOnly: boolean;
  state: string;
  openedAt: string;
  startedAt: string | null;
  bytesToGuest: number;
  bytesFromGuest: number;
  clientIp: string | null;
}
