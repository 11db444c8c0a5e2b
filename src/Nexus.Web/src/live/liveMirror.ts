import type { GuestState, LiveEvent, LiveSnapshot, ServerStatus, TenantStats } from '../api/vmTypes';

/** One VM as the mirror holds it: the live state and what the caller may do with it. */
export interface LiveVm {
  guest: GuestState;
  permissions: string[];
}

export interface LiveState {
  version: number;
  access: LiveSnapshot['access'];
  servers: ServerStatus[];
  vms: ReadonlyMap<string, LiveVm>;
  stats: TenantStats | null;
}

export const vmKey = (serverId: string, type: string, vmid: number) => `${serverId}/${type}/${vmid}`;

/** What the caller must do after handing the mirror an event. */
export type Outcome = 'applied' | 'ignored' | 'buffered' | 'resync' | 'revoked';

/**
 * The client half of the live protocol (src/Nexus.Host/Live/README.md, "The client algorithm"): a snapshot plus
 * the versioned events after it. Pure (no I/O), so the rules for gaps, duplicates and hidden versions are unit-tested.
 * Events arriving before the snapshot, or after a gap, are buffered until the next snapshot.
 */
export class LiveMirror {
  private current: LiveState | null = null;
  private buffer: LiveEvent[] = [];
  private resyncing = true;

  get state(): LiveState | null {
    return this.current;
  }

  /** Replaces everything with the snapshot, then applies the buffered events it does not already reflect. */
  loadSnapshot(snapshot: LiveSnapshot): Outcome {
    const vms = new Map<string, LiveVm>();
    for (const vm of snapshot.vms) {
      vms.set(vmKey(vm.guest.serverId, vm.guest.type, vm.guest.vmId), vm);
    }
    this.current = { version: snapshot.version, access: snapshot.access, servers: snapshot.servers, vms, stats: snapshot.stats };
    this.resyncing = false;
    const pending = this.buffer.sort((a, b) => a.version - b.version);
    this.buffer = [];
    for (let i = 0; i < pending.length; i++) {
      if (this.receive(pending[i]) === 'resync') {
        this.buffer.push(...pending.slice(i + 1));
        return 'resync';
      }
    }
    return 'applied';
  }

  /** Forgets the state's authority: events are buffered until the next snapshot (reconnect, access change). */
  invalidate(): void {
    this.resyncing = true;
  }

  receive(event: LiveEvent): Outcome {
    const state = this.current;
    if (this.resyncing || !state) {
      this.buffer.push(event);
      return 'buffered';
    }
    if (event.version <= state.version) {
      return 'ignored';
    }
    if (event.version !== state.version + 1) {
      this.buffer.push(event);
      this.resyncing = true;
      return 'resync';
    }
    if (event.type === 'accessChanged') {
      this.current = { ...state, version: event.version };
      this.resyncing = true;
      return 'resync';
    }
    const next = apply(state, event);
    if (next === null) {
      // A VM we hold no permissions for: only a snapshot says what the caller may do with it.
      this.buffer.push(event);
      this.resyncing = true;
      return 'resync';
    }
    this.current = { ...next, version: event.version };
    return 'applied';
  }
}

interface VmStatesChanged {
  serverId: string;
  changed: GuestState[];
  removed: { serverId: string; guestType: string; vmId: number }[];
}

/** The state after one event, or null when the event names a VM the snapshot did not have. Bodies are whole states, so applying twice is harmless. */
function apply(state: LiveState, event: LiveEvent): LiveState | null {
  switch (event.type) {
    case 'vmStatesChanged': {
      const body = event.body as VmStatesChanged;
      const vms = new Map(state.vms);
      for (const guest of body.changed ?? []) {
        const key = vmKey(guest.serverId, guest.type, guest.vmId);
        const known = vms.get(key);
        if (!known) {
          return null;
        }
        vms.set(key, { guest, permissions: known.permissions });
      }
      for (const removed of body.removed ?? []) {
        vms.delete(vmKey(removed.serverId, removed.guestType, removed.vmId));
      }
      return { ...state, vms };
    }
    case 'serverStatusChanged': {
      const status = (event.body as { status: ServerStatus }).status;
      const others = state.servers.filter((s) => s.serverId !== status.serverId);
      return { ...state, servers: [...others, status] };
    }
    case 'tenantStatsChanged':
      return { ...state, stats: (event.body as { stats: TenantStats }).stats };
    default:
      // hidden, tasks, metrics, alerts, audit: nothing the mirror holds.
      return state;
  }
}
