import { describe, expect, it } from 'vitest';
import type { GuestState } from '../api/vmTypes';
import { actionsFor, listVms, visibleRange } from './vmList';

function vm(vmId: number, name: string, status: string, permissions = ['view', 'start', 'stop', 'restart']) {
  const guest = { serverId: 's', type: 'qemu', vmId, name, node: 'pve1', status, cpu: vmId / 1000, memory: 0, tags: null, template: false } as GuestState;
  return { guest, permissions };
}

describe('VM list', () => {
  it('offers only the actions the state allows and the grant permits', () => {
    expect(actionsFor(vm(100, 'a', 'stopped'))).toEqual(['start']);
    expect(actionsFor(vm(100, 'a', 'running'))).toContain('shutdown');
    expect(actionsFor(vm(100, 'a', 'running', ['view']))).toEqual([]);
    expect(actionsFor(vm(100, 'a', 'stopped', ['view', 'stop']))).toEqual([]);
  });

  it('searches, filters and sorts', () => {
    const all = [vm(101, 'web-2', 'running'), vm(100, 'web-1', 'stopped'), vm(102, 'db', 'running')];
    const options = { search: 'web', status: '', type: '', sort: 'name' as const, descending: false };
    expect(listVms(all, options).map((v) => v.guest.name)).toEqual(['web-1', 'web-2']);
    expect(listVms(all, { ...options, search: '', status: 'running', sort: 'vmid', descending: true }).map((v) => v.guest.vmId)).toEqual([102, 101]);
  });

  it('windows thousands of rows to a few dozen', () => {
    const { first, last } = visibleRange(32_000, 640, 32, 5_000);
    expect(first).toBe(992);
    expect(last).toBe(1028);
  });
});
