import { describe, expect, it } from 'vitest';
import type { GuestState, LiveEvent, LiveSnapshot } from '../api/vmTypes';
import { LiveMirror, vmKey } from './liveMirror';

const server = '11111111-1111-1111-1111-111111111111';

function guest(vmId: number, status: string): GuestState {
  return {
    serverId: server, type: 'qemu', vmId, name: `vm-${vmId}`, node: 'pve1', status, cpu: 0, maxCpu: 2, memory: 0,
    maxMemory: 1, disk: 0, maxDisk: 1, uptime: 0, template: false, tags: null, pool: null, lock: null, netIn: 0,
    netOut: 0, diskRead: 0, diskWrite: 0,
  };
}

function snapshot(version: number, ...guests: GuestState[]): LiveSnapshot {
  return {
    tenantId: 't', version, access: 'member', servers: [], stats: null,
    vms: guests.map((g) => ({ guest: g, permissions: ['view', 'start'] })),
  };
}

const statesChanged = (version: number, ...changed: GuestState[]): LiveEvent => ({
  tenantId: 't', version, at: '', type: 'vmStatesChanged', body: { serverId: server, changed, removed: [] },
});
const hidden = (version: number): LiveEvent => ({ tenantId: 't', version, at: '', type: 'hidden', body: null });
const statusOf = (mirror: LiveMirror, vmId: number) => mirror.state?.vms.get(vmKey(server, 'qemu', vmId))?.guest.status;

describe('LiveMirror', () => {
  it('applies the next version and keeps the permissions of the snapshot', () => {
    const mirror = new LiveMirror();
    mirror.loadSnapshot(snapshot(10, guest(100, 'running')));
    expect(mirror.receive(statesChanged(11, guest(100, 'stopped')))).toBe('applied');
    expect(statusOf(mirror, 100)).toBe('stopped');
    expect(mirror.state?.vms.get(vmKey(server, 'qemu', 100))?.permissions).toEqual(['view', 'start']);
    expect(mirror.state?.version).toBe(11);
  });

  it('ignores versions the snapshot already reflects, and duplicates', () => {
    const mirror = new LiveMirror();
    mirror.loadSnapshot(snapshot(10, guest(100, 'running')));
    expect(mirror.receive(statesChanged(10, guest(100, 'stopped')))).toBe('ignored');
    expect(statusOf(mirror, 100)).toBe('running');
    mirror.receive(statesChanged(11, guest(100, 'stopped')));
    expect(mirror.receive(statesChanged(11, guest(100, 'paused')))).toBe('ignored');
    expect(statusOf(mirror, 100)).toBe('stopped');
  });

  it('counts a hidden version, so the version after it is not a gap', () => {
    const mirror = new LiveMirror();
    mirror.loadSnapshot(snapshot(10, guest(100, 'running')));
    expect(mirror.receive(hidden(11))).toBe('applied');
    expect(mirror.receive(statesChanged(12, guest(100, 'stopped')))).toBe('applied');
    expect(statusOf(mirror, 100)).toBe('stopped');
  });

  it('asks for a snapshot on a gap and applies nothing past it until then', () => {
    const mirror = new LiveMirror();
    mirror.loadSnapshot(snapshot(10, guest(100, 'running')));
    expect(mirror.receive(statesChanged(12, guest(100, 'stopped')))).toBe('resync');
    expect(statusOf(mirror, 100)).toBe('running');
    expect(mirror.receive(statesChanged(13, guest(100, 'paused')))).toBe('buffered');
    // The new snapshot reflects 12; the buffered 13 follows it.
    expect(mirror.loadSnapshot(snapshot(12, guest(100, 'stopped')))).toBe('applied');
    expect(statusOf(mirror, 100)).toBe('paused');
    expect(mirror.state?.version).toBe(13);
  });

  it('buffers events that arrive before the snapshot and drops those it reflects', () => {
    const mirror = new LiveMirror();
    expect(mirror.receive(statesChanged(5, guest(100, 'stopped')))).toBe('buffered');
    expect(mirror.receive(statesChanged(6, guest(100, 'running')))).toBe('buffered');
    mirror.loadSnapshot(snapshot(5, guest(100, 'stopped')));
    expect(statusOf(mirror, 100)).toBe('running');
    expect(mirror.state?.version).toBe(6);
  });

  it('resyncs on accessChanged and on a VM it holds no permissions for', () => {
    const mirror = new LiveMirror();
    mirror.loadSnapshot(snapshot(1, guest(100, 'running')));
    expect(mirror.receive({ tenantId: 't', version: 2, at: '', type: 'accessChanged', body: null })).toBe('resync');
    expect(mirror.loadSnapshot(snapshot(2, guest(100, 'running')))).toBe('applied');
    expect(mirror.receive(statesChanged(3, guest(101, 'running')))).toBe('resync');
  });

  it('a reconnect buffers until the next snapshot', () => {
    const mirror = new LiveMirror();
    mirror.loadSnapshot(snapshot(1, guest(100, 'running')));
    mirror.invalidate();
    expect(mirror.receive(statesChanged(2, guest(100, 'stopped')))).toBe('buffered');
    mirror.loadSnapshot(snapshot(7, guest(100, 'paused')));
    expect(statusOf(mirror, 100)).toBe('paused');
  });

  it('removes VMs the event lists as removed', () => {
    const mirror = new LiveMirror();
    mirror.loadSnapshot(snapshot(1, guest(100, 'running'), guest(101, 'running')));
    mirror.receive({
      tenantId: 't', version: 2, at: '', type: 'vmStatesChanged',
      body: { serverId: server, changed: [], removed: [{ serverId: server, guestType: 'qemu', vmId: 101 }] },
    });
    expect(mirror.state?.vms.size).toBe(1);
  });
});
