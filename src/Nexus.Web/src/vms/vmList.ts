import type { GuestState, VmAction, VmRow } from '../api/vmTypes';
import type { LiveVm } from '../live/liveMirror';

export type SortKey = 'name' | 'vmid' | 'status' | 'cpu' | 'mem' | 'node';

export interface ListOptions {
  search: string;
  status: string;
  type: string;
  sort: SortKey;
  descending: boolean;
}

/** The permission each power action needs (Nexus.Grains PermissionPolicy). */
const actionPermission: Record<VmAction, string> = {
  start: 'start', resume: 'start', stop: 'stop', shutdown: 'stop', suspend: 'stop', reboot: 'restart', reset: 'restart',
};

/** The power actions that make sense in the VM's state and that the caller may run. */
export function actionsFor(vm: LiveVm): VmAction[] {
  const { status, type, template } = vm.guest;
  if (template) {
    return [];
  }
  const byState: VmAction[] =
    status === 'running' ? ['shutdown', 'reboot', 'stop', ...(type === 'qemu' ? (['suspend', 'reset'] as const) : [])]
    : status === 'paused' || status === 'suspended' ? ['resume', 'stop']
    : ['start'];
  return byState.filter((action) => vm.permissions.includes(actionPermission[action]));
}

const compare: Record<SortKey, (a: LiveVm, b: LiveVm) => number> = {
  name: (a, b) => a.guest.name.localeCompare(b.guest.name),
  vmid: (a, b) => a.guest.vmId - b.guest.vmId,
  status: (a, b) => a.guest.status.localeCompare(b.guest.status),
  cpu: (a, b) => a.guest.cpu - b.guest.cpu,
  mem: (a, b) => a.guest.memory - b.guest.memory,
  node: (a, b) => a.guest.node.localeCompare(b.guest.node),
};

/** Search, filters and sort over the live VMs (the tenant's whole inventory is in the snapshot, so no round trip). */
export function listVms(vms: Iterable<LiveVm>, options: ListOptions): LiveVm[] {
  const search = options.search.trim().toLowerCase();
  const rows = [...vms].filter(
    ({ guest }) =>
      (!options.status || guest.status === options.status) &&
      (!options.type || guest.type === options.type) &&
      (!search || guest.name.toLowerCase().includes(search) || String(guest.vmId).includes(search) || guest.node.toLowerCase().includes(search) || (guest.tags ?? '').toLowerCase().includes(search)),
  );
  const by = compare[options.sort];
  rows.sort((a, b) => (options.descending ? -1 : 1) * (by(a, b) || a.guest.vmId - b.guest.vmId));
  return rows;
}

/** The rows a fixed-height window shows, with a few extra above and below so fast scrolling does not flash. */
export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8) {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first, last };
}

export function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A listing row in the live mirror's shape, so the power menu serves both. */
export function liveVmOf(row: VmRow): LiveVm {
  const guest: GuestState = { ...row, tags: row.tags.join(';'), netIn: 0, netOut: 0, diskRead: 0, diskWrite: 0 };
  return { guest, permissions: row.permissions };
}
